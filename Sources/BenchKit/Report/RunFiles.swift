import Foundation

/// The result files of one run, read back from its folder: what a report is drawn from, for a run made now or long
/// ago (files written before a column existed simply lack it).
public struct RunFiles: Sendable {
    public var directory: URL
    public var record: RunRecord?
    public var summary: CSVTable?
    public var latency: CSVTable?
    public var dbcost: CSVTable?
    public var receiver: CSVTable?
    public var transport: CSVTable?
    public var sweep: CSVTable?
    public var plan: CSVTable?
    public var outages: CSVTable?

    public init(directory: URL) throws(BenchError) {
        self.directory = directory
        summary = try CSVTable.readIfPresent(directory.appendingPathComponent("summary.csv"))
        latency = try CSVTable.readIfPresent(directory.appendingPathComponent("latency.csv"))
        dbcost = try CSVTable.readIfPresent(directory.appendingPathComponent("dbcost.csv"))
        receiver = try CSVTable.readIfPresent(directory.appendingPathComponent("receiver.csv"))
        transport = try CSVTable.readIfPresent(directory.appendingPathComponent("transport.csv"))
        sweep = try CSVTable.readIfPresent(directory.appendingPathComponent("sweep.csv"))
        plan = try CSVTable.readIfPresent(directory.appendingPathComponent("plan.csv"))
        outages = try CSVTable.readIfPresent(directory.appendingPathComponent("outages.csv"))
        let runURL = directory.appendingPathComponent("run.json")
        if FileManager.default.fileExists(atPath: runURL.path) { record = try RunRecord.load(from: runURL) }
        guard summary != nil || dbcost != nil || receiver != nil || transport != nil || sweep != nil || plan != nil || outages != nil else {
            throw BenchError("\(directory.path) holds no summary.csv, dbcost.csv, receiver.csv, transport.csv, sweep.csv, plan.csv or outages.csv: not a run's folder")
        }
    }

    /// The summary's rows of one scenario, in file order.
    func rows(scenario: String) -> [[String: String]] {
        (summary?.records ?? []).filter { $0["scenario"] == scenario }
    }

    /// The first scenario of the summary that is not a fault scenario: the comparison, or the CI profile.
    var mainScenario: String? {
        summary?.records.lazy.compactMap { $0["scenario"] }.first { !FaultScenario.names.contains($0) }
    }

    /// The summary's rows of the fault scenarios.
    var faultRows: [[String: String]] {
        (summary?.records ?? []).filter { FaultScenario.names.contains($0["scenario"] ?? "") }
    }

}
