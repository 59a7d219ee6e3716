import Foundation

/// The figures of a run, read back from its result files, by name (`SCENARIO/STRATEGY/measure`, `all/measure`,
/// `receiver/measure`, `dbcost/measure`, `hotpath/PATH/measure`).
public struct RunFigures: Sendable, Hashable {
    public var values: [String: Double]
    /// The database backends the run used: for its strategies' reviews and its DB cost cells.
    public var backends: Set<String>

    public init(values: [String: Double], backends: Set<String> = ["sqlite"]) {
        self.values = values
        self.backends = backends
    }

    /// Reads `summary.csv`, the backend from `run.json`, and when present `dbcost.csv`, `receiver.csv` and
    /// `hotpath.csv` from a run directory.
    public init(directory: URL) throws(BenchError) {
        let record = try? RunRecord.load(from: directory.appendingPathComponent("run.json"))
        try self.init(
            summary: try CSVTable(contentsOf: directory.appendingPathComponent("summary.csv")),
            backend: record?.parameters["backend"] ?? "sqlite",
            dbcost: try CSVTable.readIfPresent(directory.appendingPathComponent("dbcost.csv")),
            receiver: try CSVTable.readIfPresent(directory.appendingPathComponent("receiver.csv")),
            hotPaths: try CSVTable.readIfPresent(directory.appendingPathComponent(HotPathCounts.fileName))
        )
    }

    init(summary: CSVTable, backend: String = "sqlite", dbcost: CSVTable?, receiver: CSVTable? = nil, hotPaths: CSVTable? = nil) throws(BenchError) {
        var values: [String: Double] = [:]
        func number(_ record: [String: String], _ column: String) throws(BenchError) -> Double {
            guard let text = record[column] else { throw BenchError("summary.csv has no \(column) column") }
            guard let value = Double(text) else { throw BenchError("summary.csv: \(column) is \"\(text)\", not a number") }
            return value
        }
        var backends: Set<String> = [backend]
        var acceptedByScenario: [String: Double] = [:]
        for record in summary.records {
            guard let strategy = record["strategy"], let scenario = record["scenario"] else {
                throw BenchError("summary.csv has no scenario or strategy column")
            }
            let prefix = "\(scenario)/\(strategy)/"
            for measure in BaselinePolicy.exactMeasures where record[measure.column] != nil {
                // Counts such as db_statements differ by backend; the rest are the same on either.
                let name = measure.perBackend && backend != "sqlite" ? "\(backend)_\(measure.column)" : measure.column
                // An empty field is a figure the row does not have (no model, no latency).
                if let value = record.number(measure.column) { values[prefix + name] = value }
            }
            // Against the model on the run's own review delays where there is one: no sampling error in the ratio.
            // A model on the draws that expects no wait leaves the row without a ratio, whatever the expectation says.
            if let model = record.number("model_draws_latency_mean_ms") {
                if model > 0, let mean = record.number("latency_mean_ms") { values[prefix + "latency_ratio"] = mean / model }
            } else if let ratio = record.number("latency_ratio") {
                values[prefix + "latency_ratio"] = ratio
            }
            // A fault row against its own model on the run's draws: requests too.
            if FaultScenario.names.contains(scenario), let requests = record.number("requests_per_doc"),
               let model = record.number("model_draws_requests_per_doc"), model > 0 {
                values[prefix + "requests_ratio"] = requests / model
            }
            // Every strategy of a scenario saw the same verdicts from the same seed.
            let accepted = try number(record, "accepted")
            if let seen = acceptedByScenario[scenario], seen != accepted { values["all/accepted_agrees"] = 0 }
            acceptedByScenario[scenario] = accepted
            values["all/accepted_agrees"] = values["all/accepted_agrees"] ?? 1
        }
        for record in dbcost?.records ?? [] {
            let backend = record["backend"] ?? "sqlite"
            backends.insert(backend)
            guard let rows = record["rows"], let plan = record["plan"] else { continue }
            if record["index"] == "with" {
                if let speedup = record.number("speedup") { values[Self.dbCostName("speedup_\(rows)_rows", backend: backend)] = speedup }
                values[Self.dbCostName("uses_index_\(rows)_rows", backend: backend)] = DBCostCell.usesIndex(plan: plan) ? 1 : 0
            } else {
                values[Self.dbCostName("scans_without_index_\(rows)_rows", backend: backend)] = DBCostCell.usesIndex(plan: plan) ? 0 : 1
            }
        }
        self.backends = backends
        for record in receiver?.records ?? [] where record["phase"] == "receiver" {
            if let ratio = record.number("ratio_to_ceiling") { values["receiver/ratio_to_ceiling"] = ratio }
        }
        for record in hotPaths?.records ?? [] {
            guard let path = record["path"] else { continue }
            if let instructions = record.number("instructions_per_op") { values["hotpath/\(path)/instructions"] = instructions }
            if let allocations = record.number("allocations_per_op") { values["hotpath/\(path)/allocations"] = allocations }
        }
        self.values = values
    }

    /// The name of a DB cost figure on `backend`: SQLite's keep their names from before there were backends.
    static func dbCostName(_ measure: String, backend: String) -> String {
        backend == "sqlite" ? "dbcost/\(measure)" : "dbcost/\(backend)_\(measure)"
    }
}
