import Foundation
import Logging

/// Runs every strategy of a scenario, one after the other, each on a fresh Help Desk and database.
public struct ComparisonRun: Sendable {
    public let scenario: ScenarioSpec
    public let progress: ProgressLine
    public let logger: Logger

    public init(scenario: ScenarioSpec, progress: ProgressLine, logger: Logger) {
        self.scenario = scenario
        self.progress = progress
        self.logger = logger
    }

    /// - Parameter directory: Where the SQLite files go; a temporary folder when `nil`, removed afterwards.
    public func run(databaseDirectory directory: URL?) async throws -> [StrategyResult] {
        let folder = try directory ?? Self.temporaryFolder()
        defer { if directory == nil { try? FileManager.default.removeItem(at: folder) } }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try await run(database: .sqlite(folder: folder))
    }

    /// Runs every strategy with its database in `database`.
    public func run(database: RunDatabase) async throws -> [StrategyResult] {
        let runner = StrategyRunner(scenario: scenario, database: database, logger: logger)
        var results: [StrategyResult] = []
        for (index, strategy) in scenario.strategies.enumerated() {
            let label = "\(scenario.name) \(index + 1)/\(scenario.strategies.count) \(strategy)"
            let documents = scenario.documents
            let progress = self.progress
            progress.update("\(label): starting")
            let result = try await runner.run(strategy, index: index) { submitted in
                if submitted % 50 == 0 || submitted == documents { progress.update("\(label): \(submitted)/\(documents) submitted") }
            }
            progress.finish("\(label): \(result.completed)/\(result.documents) decided, \(String(format: "%.1f", result.wallDuration.secondsValue)) s")
            results.append(result)
        }
        return results
    }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("async-flows-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}

import SimulationSupport
