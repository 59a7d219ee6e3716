import Foundation
import Logging

/// Runs the fault scenarios, one strategy after the other, each on its own Help Desk, app and database.
public struct FaultRun: Sendable {
    public let base: ScenarioSpec
    public let faults: [FaultScenario]
    public let progress: ProgressLine
    public let logger: Logger

    public init(base: ScenarioSpec = FaultScenario.baseWorkload, faults: [FaultScenario] = FaultScenario.all, progress: ProgressLine, logger: Logger) {
        self.base = base
        self.faults = faults
        self.progress = progress
        self.logger = logger
    }

    /// - Parameter database: Where the runs' databases go; SQLite files in a temporary folder when `nil`.
    public func run(database: RunDatabase? = nil) async throws -> [StrategyResult] {
        let folder = try ComparisonRun.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = database ?? .sqlite(folder: folder)
        var results: [StrategyResult] = []
        for (number, fault) in faults.enumerated() {
            let scenario = fault.scenario(from: base)
            let runner = StrategyRunner(scenario: scenario, database: database, logger: logger)
            progress.update("faults \(number + 1)/\(faults.count) \(fault.name): \(scenario.strategies.count) strategies")
            var ordered: [StrategyResult] = []
            for (index, strategy) in scenario.strategies.enumerated() {
                ordered.append(try await runner.run(strategy, index: index))
            }
            let lost = ordered.map { "\($0.strategy) \($0.lost)" }.joined(separator: ", ")
            progress.finish("faults \(number + 1)/\(faults.count) \(fault.name): lost \(lost)")
            results += ordered
        }
        return results
    }
}
