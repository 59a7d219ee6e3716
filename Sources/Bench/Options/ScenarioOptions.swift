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

    @OptionGroup var time: TimeOptions

    @Option(parsing: .unconditional, help: "Documents to submit (default 1000).")
    var documents: Int?

    @Option(help: "Submit the arrivals that fall within this much model time, such as 1d, instead of --documents (virtual clock).", transform: DurationArgument.parse)
    var duration: DurationArgument?

    @Option(parsing: .unconditional, help: "Mean submissions per second, Poisson arrivals, open-loop: per model second on the virtual clock (default 12.5), per wall second on the wall clock (default 125).")
    var rate: Double?

    @Option(parsing: .unconditional, help: "Mean submissions per model day: --rate as a day's volume, such as 20000.")
    var documentsPerDay: Double?

    @Option(parsing: .unconditional, help: "Seed of every random draw (default 42).")
    var seed: UInt64?

    @Option(help: ArgumentHelp("Comma-separated strategy names, such as webhook,poll-fixed:1s,poll-backoff:0.5s,2,8s (default: every strategy of the suite).", discussion: StrategySpec.usageList))
    var strategies: String?

    @OptionGroup var reviewDelay: ReviewDelayOptions

    @Option(parsing: .unconditional, help: "Probability that a review is ACCEPTED (default 0.7).")
    var acceptRatio: Double?

    @OptionGroup var limits: LimitOptions

    @OptionGroup var webhooks: WebhookPolicyOptions

    func validate() throws {
        if let documents, !(1...1_000_000).contains(documents) { throw ValidationError("--documents must be from 1 to 1000000") }
        if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate must be a positive number") }
        if let documentsPerDay, !(documentsPerDay > 0 && documentsPerDay.isFinite) {
            throw ValidationError("--documents-per-day must be a positive number")
        }
        if documentsPerDay != nil, rate != nil {
            throw ValidationError("--documents-per-day and --rate both set the arrival rate: give one")
        }
        if duration != nil, documents != nil {
            throw ValidationError("--duration and --documents both say how many documents: give one")
        }
        if let duration, duration.duration <= .zero { throw ValidationError("--duration must be a positive duration such as 1d") }
        if duration != nil, time.clock == .wall { throw ValidationError("--duration needs --clock virtual: arrivals within model time") }
        if let acceptRatio, !(0...1).contains(acceptRatio) { throw ValidationError("--accept-ratio must be between 0 and 1") }
        if scenario == .faults, strategies != nil {
            throw ValidationError("--strategies cannot be combined with --scenario faults: each fault runs the strategies it concerns")
        }
        if scenario == .faults, profile != nil {
            throw ValidationError("--profile cannot be combined with --scenario faults")
        }
        _ = try workload()
    }

    /// The fault section's workload on the chosen clock (for a profile that runs it after its comparison).
    func faultWorkload() throws -> ScenarioSpec {
        var workload = time.clocked(FaultScenario.baseWorkload, default: profile?.clock ?? .virtual)
        try limits.apply(to: &workload)
        return workload
    }

    /// The workload: the profile's, the fault section's or the default, with every option given applied on top.
    func workload() throws -> ScenarioSpec {
        let base = time.clocked(scenario == .faults ? FaultScenario.baseWorkload : (profile?.scenario ?? ScenarioSpec()), default: profile?.clock ?? .virtual)
        var scenario = base
        if let documents { scenario.documents = documents }
        if let rate { scenario.arrivalRate = rate }
        if let documentsPerDay { scenario.arrivalRate = documentsPerDay / 86_400 / scenario.effectiveTimeScale }
        if let seed { scenario.seed = seed }
        if let delay = try reviewDelay.distribution(uniformRange: base.reviewDelay.bounds ?? .seconds(2) ... .seconds(5)) {
            scenario.reviewDelay = delay
        }
        if let acceptRatio { scenario.acceptRatio = acceptRatio }
        try limits.apply(to: &scenario)
        scenario.webhookPolicy = try webhooks.policy()
        if let strategies {
            scenario.strategies = try parsing("--strategies") { try StrategySpec.parseList(strategies) }
        }
        if self.scenario == .comparison {
            scenario.strategies = try limits.offered(scenario.strategies, given: strategies != nil).kept
        }
        if let duration {
            scenario.arrivalWindow = duration.duration
            scenario.documents = scenario.arrivals.offsets.count
            guard (1...1_000_000).contains(scenario.documents) else {
                throw ValidationError("--duration \(duration.duration.compactDescription) at this rate makes \(scenario.documents) documents; from 1 to 1000000 can run")
            }
        }
        return scenario
    }

    /// The comparison's strategies the vendor chosen does not offer, left out, with why.
    func notOffered() throws -> [(strategy: StrategySpec, availability: StrategyAvailability)] {
        guard scenario == .comparison, strategies == nil else { return [] }
        let base = profile?.scenario ?? ScenarioSpec()
        return try limits.offered(base.strategies, given: false).apart
    }

    /// The scenario's parameters for `run.json`.
    static func describe(_ scenario: ScenarioSpec) -> [String: String] {
        [
            "documents": String(scenario.documents),
            "clock": scenario.clock.rawValue,
            "network_delay": scenario.network.description,
            "arrival_rate_per_s": String(scenario.arrivalRate),
            "arrival_rate_per_model_day": String(format: "%.0f", scenario.modelArrivalRate * 86_400),
            "review_delay": scenario.reviewDelay.description,
            "accept_ratio": String(scenario.acceptRatio),
            "strategies": scenario.strategies.map(\.description).joined(separator: " "),
            "scenario": scenario.name,
            "max_in_flight": String(scenario.maxInFlight),
        ].merging(scenario.vendor.map { ["vendor": $0.name] } ?? [:]) { first, _ in first }
    }
}

extension Profile: ExpressibleByArgument {}

extension HelpDeskTransportKind: ExpressibleByArgument {}

/// Which scenario `Bench run` runs.
enum ScenarioKind: String, ExpressibleByArgument, CaseIterable {
    case comparison
    case faults
}

/// How a command's model time passes: `--clock`, `--time-scale` and `--network-delay`.
struct TimeOptions: ParsableArguments {
    @Option(help: "virtual (model time moves when the whole system is quiet, straight to the next deadline: nothing compressed, reproducible) or wall (model time follows the wall clock through --time-scale). Default virtual, or the profile's.")
    var clock: RunClock?

    @Option(parsing: .unconditional, help: "Wall seconds per model second on the wall clock (default 0.1; 0.01 for --scenario faults).")
    var timeScale: Double?

    @Option(help: ArgumentHelp("One-way delay between our app and the Help Desk, model time, paid by every request, answer, webhook and stream event: \(NetworkDelay.usage) (default 0).", valueName: "delay"))
    var networkDelay: String?

    func validate() throws {
        if let timeScale, !(timeScale > 0 && timeScale.isFinite) { throw ValidationError("--time-scale must be a positive number") }
        if timeScale != nil, clock == .virtual {
            throw ValidationError("--time-scale applies to --clock wall only: a virtual clock compresses nothing")
        }
        _ = try network()
    }

    /// `--network-delay`, if given.
    func network() throws -> NetworkDelay? {
        guard let networkDelay else { return nil }
        return try parsing("--network-delay") { try NetworkDelay.parse(networkDelay) }
    }

    /// `workload` on the chosen clock (the workload's own when none is chosen and it has one), its time scale and
    /// network applied. A wall workload moved to a virtual clock keeps its model arrival rate.
    func clocked(_ workload: ScenarioSpec, default fallback: RunClock = .virtual) -> ScenarioSpec {
        var scenario = workload
        if let timeScale {
            scenario.timeScale = timeScale
            scenario.clock = .wall
        } else if (clock ?? fallback) == .virtual {
            scenario = scenario.inVirtualTime()
        }
        if let network = try? network() { scenario.network = network }
        return scenario
    }
}

extension RunClock: ExpressibleByArgument {}

/// `--clock` of a command that measures the machine itself under load: only the wall clock can show that.
struct WallClockOnly: ParsableArguments {
    @Option(help: "wall only: this command measures the machine under load, which a virtual clock by design leaves out.")
    var clock = RunClock.wall

    // Checked before --out is created: the option group comes first in each command.
    func validate() throws {
        guard clock == .wall else {
            throw ValidationError("this command measures the machine under load on the wall clock; --clock virtual does not apply (use Bench run for the strategies in virtual time)")
        }
    }
}
