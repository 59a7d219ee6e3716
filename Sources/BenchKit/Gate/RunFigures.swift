import Foundation

/// The figures of a run, read back from its result files, by name (`STRATEGY/measure`, `all/measure`, `dbcost/measure`).
public struct RunFigures: Sendable, Hashable {
    public var values: [String: Double]
    /// The database backends the run's DB cost cells were measured on.
    public var backends: Set<String>

    public init(values: [String: Double], backends: Set<String> = ["sqlite"]) {
        self.values = values
        self.backends = backends
    }

    /// Reads `summary.csv` and, when present, `dbcost.csv` and `receiver.csv` from a run directory.
    public init(directory: URL) throws(BenchError) {
        try self.init(
            summary: try CSVTable(contentsOf: directory.appendingPathComponent("summary.csv")),
            dbcost: try CSVTable.readIfPresent(directory.appendingPathComponent("dbcost.csv")),
            receiver: try CSVTable.readIfPresent(directory.appendingPathComponent("receiver.csv"))
        )
    }

    init(summary: CSVTable, dbcost: CSVTable?, receiver: CSVTable? = nil) throws(BenchError) {
        var values: [String: Double] = [:]
        func number(_ record: [String: String], _ column: String) throws(BenchError) -> Double {
            guard let text = record[column] else { throw BenchError("summary.csv has no \(column) column") }
            guard let value = Double(text) else { throw BenchError("summary.csv: \(column) is \"\(text)\", not a number") }
            return value
        }
        var p50: [String: Double] = [:]
        var pushP50: [String: Double] = [:]
        // The gate reads one scenario: the file's first (a suite's fault rows are not part of it).
        let scenario = summary.records.first?["scenario"]
        for record in summary.records where record["scenario"] == scenario {
            guard let strategy = record["strategy"] else { throw BenchError("summary.csv has no strategy column") }
            let documents = try number(record, "documents")
            values["\(strategy)/completed_share"] = try number(record, "completed") / documents
            values["\(strategy)/requests_per_doc"] = try number(record, "requests_per_doc")
            values["\(strategy)/webhook_attempts_per_doc"] = try number(record, "webhook_attempts") / documents
            if let ratio = record.number("latency_ratio") { values["\(strategy)/latency_ratio"] = ratio }
            if let distance = record.number("latency_ks") { values["\(strategy)/latency_ks"] = distance }
            // The webhook's p50 is the reference: a strategy whose model expects a wait is compared with it as a
            // poller, one that expects none as a push (older files without the model's p50: one with a latency ratio
            // expects a wait).
            let expectsWait = record.number("model_latency_p50_ms").map { $0 > 0 } ?? (record.number("latency_ratio") != nil)
            let measured = try number(record, "latency_p50_ms")
            if strategy == "webhook" || expectsWait { p50[strategy] = measured } else { pushP50[strategy] = measured }
            let accepted = try number(record, "accepted")
            if let seen = values["all/accepted"], seen != accepted {
                values["all/accepted_agrees"] = 0
            } else {
                values["all/accepted"] = accepted
                values["all/accepted_agrees"] = values["all/accepted_agrees"] ?? 1
            }
        }
        if let webhook = p50["webhook"], webhook > 0 {
            for (strategy, value) in p50 where strategy != "webhook" {
                values["\(strategy)/p50_over_webhook_p50"] = value / webhook
            }
            for (strategy, value) in pushP50 {
                values["\(strategy)/push_p50_over_webhook_p50"] = value / webhook
            }
        }
        var backends = Set<String>()
        for record in dbcost?.records ?? [] {
            let backend = record["backend"] ?? "sqlite"
            backends.insert(backend)
            guard record["index"] == "with", let rows = record["rows"], let speedup = record.number("speedup") else { continue }
            // SQLite's figure keeps its name from before there were backends.
            values[backend == "sqlite" ? "dbcost/speedup_\(rows)_rows" : "dbcost/\(backend)_speedup_\(rows)_rows"] = speedup
        }
        self.backends = backends
        for record in receiver?.records ?? [] where record["phase"] == "receiver" {
            if let ratio = record.number("ratio_to_ceiling") { values["receiver/ratio_to_ceiling"] = ratio }
        }
        self.values = values
    }
}
