import ArgumentParser
import BenchKit
import Flows
import SimulationSupport

/// The workload options of `Bench run`.
struct ScenarioOptions: ParsableArguments {
    @Option(help: "comparison (every chosen strategy on one workload) or faults (each fault with the strategies it concerns).")
    var scenario: ScenarioKind = .comparison

    @Option(help: "A named workload to start from: ci (the regression gate's). Options given with it override it.")
    var profile: Profile?

    @Option(help: "Documents to submit (default 1000).")
    var documents: Int?

    @Option(help: "Mean submissions per wall second, Poisson arrivals, open-loop (default 125).")
    var rate: Double?

    @Option(help: "Wall seconds per model second (default 0.1; 0.01 for --scenario faults).")
    var timeScale: Double?

    @Option(help: "Seed of every random draw (default 42).")
    var seed: UInt64?

    @Option(help: "Comma-separated strategy names, such as webhook,poll-fixed:1s,poll-backoff:0.5s,2,8s (default: every strategy of the suite).")
    var strategies: String?

    @OptionGroup var reviewDelay: ReviewDelayOptions

    @Option(help: "Probability that a review is ACCEPTED (default 0.7).")
    var acceptRatio: Double?

    func validate() throws {
        if let documents, !(1...1_000_000).contains(documents) { throw ValidationError("--documents must be from 1 to 1000000") }
        if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate must be a positive number") }
        if let timeScale, !(timeScale > 0 && timeScale.isFinite) { throw ValidationError("--time-scale must be a positive number") }
        if let acceptRatio, !(0...1).contains(acceptRatio) { throw ValidationError("--accept-ratio must be between 0 and 1") }
        if scenario == .faults, strategies != nil {
            throw ValidationError("--strategies cannot be combined with --scenario faults: each fault runs the strategies it concerns")
        }
        if scenario == .faults, profile != nil {
            throw ValidationError("--profile cannot be combined with --scenario faults")
        }
        _ = try workload()
    }

    /// The workload: the profile's, the fault section's or the default, with every option given applied on top.
    func workload() throws -> ScenarioSpec {
        let base = scenario == .faults ? FaultScenario.baseWorkload : (profile?.scenario ?? ScenarioSpec())
        var scenario = base
        if let documents { scenario.documents = documents }
        if let rate { scenario.arrivalRate = rate }
        if let timeScale { scenario.timeScale = timeScale }
        if let seed { scenario.seed = seed }
        if let delay = try reviewDelay.distribution(uniformRange: base.reviewDelay.bounds ?? .seconds(2) ... .seconds(5)) {
            scenario.reviewDelay = delay
        }
        if let acceptRatio { scenario.acceptRatio = acceptRatio }
        if let strategies {
            scenario.strategies = try parsing("--strategies") { try StrategySpec.parseList(strategies) }
        }
        return scenario
    }

    /// The scenario's parameters for `run.json`.
    static func describe(_ scenario: ScenarioSpec) -> [String: String] {
        [
            "documents": String(scenario.documents),
            "arrival_rate_per_s": String(scenario.arrivalRate),
            "review_delay": scenario.reviewDelay.description,
            "accept_ratio": String(scenario.acceptRatio),
            "strategies": scenario.strategies.map(\.description).joined(separator: " "),
            "scenario": scenario.name,
        ]
    }
}

extension Profile: ExpressibleByArgument {}

extension HelpDeskTransportKind: ExpressibleByArgument {}

/// Which scenario `Bench run` runs.
enum ScenarioKind: String, ExpressibleByArgument, CaseIterable {
    case comparison
    case faults
}
