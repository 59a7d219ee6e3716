import ArgumentParser
import BenchKit
import Flows
import SimulationSupport

/// The workload options of `Bench run`.
struct ScenarioOptions: ParsableArguments {
    @Option(help: "Documents to submit.")
    var documents = 1000

    @Option(help: "Mean submissions per wall second (Poisson arrivals, open-loop).")
    var rate = 100.0

    @Option(help: "Wall seconds per model second.")
    var timeScale = 0.01

    @Option(help: "Seed of every random draw.")
    var seed: UInt64 = 42

    @Option(help: "Comma-separated strategy names, such as webhook,poll-fixed:1s,poll-backoff:0.5s,2,8s (default: all ten of the suite).")
    var strategies: String?

    @Option(help: "Range of review delays, model time.")
    var reviewDelay = DurationRangeArgument(.seconds(2) ... .seconds(5))

    @Option(help: "Probability that a review is ACCEPTED.")
    var acceptRatio = 0.7

    func validate() throws {
        guard documents > 0, documents <= 1_000_000 else { throw ValidationError("--documents must be from 1 to 1000000") }
        guard rate > 0, rate.isFinite else { throw ValidationError("--rate must be a positive number") }
        guard timeScale > 0, timeScale.isFinite else { throw ValidationError("--time-scale must be a positive number") }
        guard (0...1).contains(acceptRatio) else { throw ValidationError("--accept-ratio must be between 0 and 1") }
        _ = try parsedStrategies()
    }

    func parsedStrategies() throws -> [StrategySpec] {
        guard let strategies else { return ScenarioSpec.defaultStrategies }
        do {
            return try StrategySpec.parseList(strategies)
        } catch {
            throw ValidationError("--strategies: \(error.description)")
        }
    }

    func scenario() throws -> ScenarioSpec {
        var scenario = ScenarioSpec()
        scenario.documents = documents
        scenario.arrivalRate = rate
        scenario.timeScale = timeScale
        scenario.seed = seed
        scenario.reviewDelay = reviewDelay.range
        scenario.acceptRatio = acceptRatio
        scenario.strategies = try parsedStrategies()
        return scenario
    }

    /// The scenario's parameters for `run.json`.
    static func describe(_ scenario: ScenarioSpec) -> [String: String] {
        [
            "documents": String(scenario.documents),
            "arrival_rate_per_s": String(scenario.arrivalRate),
            "review_delay": "\(scenario.reviewDelay.lowerBound.compactDescription)...\(scenario.reviewDelay.upperBound.compactDescription)",
            "accept_ratio": String(scenario.acceptRatio),
            "strategies": scenario.strategies.map(\.description).joined(separator: " "),
        ]
    }
}
