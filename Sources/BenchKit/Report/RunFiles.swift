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

    public init(directory: URL) throws(BenchError) {
        self.directory = directory
        func table(_ name: String) throws(BenchError) -> CSVTable? {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { return nil }
            do {
                return try CSVTable(parsing: try String(contentsOf: url, encoding: .utf8))
            } catch let error as BenchError {
                throw BenchError("\(url.path): \(error.description)")
            } catch {
                throw BenchError("\(url.path) cannot be read: \(error.localizedDescription)")
            }
        }
        summary = try table("summary.csv")
        latency = try table("latency.csv")
        dbcost = try table("dbcost.csv")
        receiver = try table("receiver.csv")
        let runURL = directory.appendingPathComponent("run.json")
        if let data = try? Data(contentsOf: runURL) {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            do {
                record = try decoder.decode(RunRecord.self, from: data)
            } catch {
                throw BenchError("\(runURL.path) is not a run record: \(error)")
            }
        }
        guard summary != nil || dbcost != nil || receiver != nil else {
            throw BenchError("\(directory.path) holds no summary.csv, dbcost.csv or receiver.csv: not a run's folder")
        }
    }

    /// The summary's rows of one scenario, in file order.
    func rows(scenario: String) -> [[String: String]] {
        (summary?.records ?? []).filter { $0["scenario"] == scenario }
    }

    /// The first scenario of the summary that is not a fault scenario: the comparison, or the CI profile.
    var mainScenario: String? {
        let faults = Set(FaultScenario.all.map(\.name))
        return summary?.records.lazy.compactMap { $0["scenario"] }.first { !faults.contains($0) }
    }

    /// The summary's rows of the fault scenarios.
    var faultRows: [[String: String]] {
        let faults = Set(FaultScenario.all.map(\.name))
        return (summary?.records ?? []).filter { faults.contains($0["scenario"] ?? "") }
    }
}

extension Dictionary where Key == String, Value == String {
    /// A column as a number; `nil` when absent or empty.
    func number(_ column: String) -> Double? {
        self[column].flatMap { $0.isEmpty ? nil : Double($0) }
    }
}
