import Flows
import Foundation
import Logging

/// Runs every point of a sweep, one after the other, each on a fresh Help Desk and database.
public struct SweepRun: Sendable {
    public let spec: SweepSpec
    public let progress: ProgressLine
    public let logger: Logger

    public init(spec: SweepSpec, progress: ProgressLine, logger: Logger) {
        self.spec = spec
        self.progress = progress
        self.logger = logger
    }

    /// - Returns: Each point with what its run measured, in the order of ``SweepSpec/points``.
    public func run() async throws -> [SweepResult] {
        let points = spec.points
        var scenario = spec.scenario
        scenario.strategies = points.map(\.strategy)
        let results = try await ComparisonRun(scenario: scenario, progress: progress, logger: logger).run(databaseDirectory: nil)
        return zip(points, results).map { SweepResult(point: $0, result: $1) }
    }
}

/// A sweep's point and its run.
public struct SweepResult: Sendable {
    public var point: SweepPoint
    public var result: StrategyResult

    public init(point: SweepPoint, result: StrategyResult) {
        self.point = point
        self.result = result
    }
}
