import Flows
import Foundation
import Logging
import ServerSupport
import SimulationSupport

/// Runs every strategy of a scenario, each on a fresh Help Desk and database. One after the other on the wall clock,
/// where a neighbour's load would show in every figure, and in virtual time when each run takes the simulation's one
/// thread (``SimulationThread``), so that each run's wall figures are its own. Otherwise, in virtual time, as many at
/// once as the machine has cores, since each run's figures depend on its own clock only.
public struct ComparisonRun: Sendable {
    public let scenario: ScenarioSpec
    public let progress: ProgressLine
    public let logger: Logger
    /// Strategies run at once on a virtual clock whose runs are not confined to the simulation's thread.
    public var concurrency = max(1, ProcessInfo.processInfo.activeProcessorCount)

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

    /// Runs every strategy with its database in `database`, and returns their results in the scenario's order.
    public func run(database: RunDatabase) async throws -> [StrategyResult] {
        let runner = StrategyRunner(scenario: scenario, database: database, logger: logger)
        let strategies = scenario.strategies
        // A run that stalled stops the comparison: the strategies in flight finish, no other starts.
        let width = scenario.clock == .virtual && !SimulationThread.confinesVirtualRuns ? concurrency : 1
        return try await Self.inOrder(strategies.count, width: width, stopsAfter: { $0.incomplete != nil }) { index in
            try await runOne(strategies[index], index: index, with: runner)
        }
    }

    /// Runs jobs `0..<count`, at most `width` at once, and returns their results in job order. Once a finished
    /// job's result satisfies `stops`, no other job starts; those in flight finish.
    public static func inOrder<Output: Sendable>(
        _ count: Int,
        width: Int,
        stopsAfter stops: @escaping @Sendable (Output) -> Bool = { _ in false },
        _ job: @escaping @Sendable (Int) async throws -> Output
    ) async throws -> [Output] {
        try await withThrowingTaskGroup(of: (Int, Output).self) { group in
            var results: [Output?] = Array(repeating: nil, count: count)
            for index in 0..<count {
                if index >= width, let (done, result) = try await group.next() { results[done] = result }
                guard !results.contains(where: { $0.map(stops) ?? false }) else { break }
                group.addTask { (index, try await job(index)) }
            }
            for try await (done, result) in group { results[done] = result }
            return results.compactMap { $0 }
        }
    }

    private func runOne(_ strategy: StrategySpec, index: Int, with runner: StrategyRunner) async throws -> StrategyResult {
        let label = "\(scenario.name) \(index + 1)/\(scenario.strategies.count) \(strategy)"
        let documents = scenario.documents
        let progress = self.progress
        progress.update("\(label): starting")
        let result = try await runner.run(strategy, index: index) { submitted in
            if submitted % 50 == 0 || submitted == documents { progress.update("\(label): \(submitted)/\(documents) submitted") }
        }
        progress.finish("\(label): \(result.completed)/\(result.documents) decided, \(String(format: "%.1f", result.wallDuration.secondsValue)) s")
        return result
    }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("async-flows-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}

import SimulationSupport
