import Flows
import SimulationSupport

/// What `Bench sweep` runs: each polling family across its parameter, and reference strategies beside them, all on
/// one seeded workload (each strategy with a fresh Help Desk and database, as in a comparison).
public struct SweepSpec: Sendable {
    /// The workload every point runs on. By default 150 documents at 60 per wall second, time scale 0.1 (six
    /// arrivals per model second): few enough pending at once (about 21 for a 2-5 s review) that every long-poll is
    /// held, inside our app's 32 requests in flight, as the model assumes; quick enough that the whole sweep takes
    /// about two and a half minutes.
    public var scenario: ScenarioSpec
    public var families: [PollingFamily] = PollingFamily.allCases
    /// The intervals of fixed, conditional and event-feed polling: 250 ms to 16 s, doubling.
    public var intervals: [Duration] = (0..<7).map { .milliseconds(250 * (1 << $0)) }
    /// Backoff's initial delays (its cap 16 times as long): 125 ms to 4 s, doubling.
    public var backoffInitials: [Duration] = (0..<6).map { .milliseconds(125 * (1 << $0)) }
    /// Long-poll waits: 1 s to 16 s, doubling (from a review of 2-5 s, a wait over 5 s needs one request).
    public var longPollWaits: [Duration] = (0..<5).map { .seconds(1 << $0) }
    /// Strategies run once each beside the families: push and the hybrid.
    public var references: [StrategySpec] = [.webhook, .webhookThin, .hybrid(sweep: .seconds(60), staleAfter: .seconds(120)), .sse]

    public init() {
        scenario = ScenarioSpec()
        scenario.name = "sweep"
        scenario.documents = 150
        scenario.arrivalRate = 60
        scenario.timeScale = 0.1
    }

    /// The parameters of `family`.
    public func parameters(of family: PollingFamily) -> [Duration] {
        switch family {
        case .fixed, .conditional, .events: intervals
        case .backoff: backoffInitials
        case .longPoll: longPollWaits
        }
    }

    /// Every point, families first (each in parameter order), then the references.
    public var points: [SweepPoint] {
        families.flatMap { family in parameters(of: family).sorted().map { SweepPoint(family: family, parameter: $0) } }
            + references.map { SweepPoint(reference: $0) }
    }
}

/// One strategy of a sweep: a family's member at a parameter, or a reference.
public struct SweepPoint: Sendable, Hashable {
    public var family: PollingFamily?
    public var parameter: Duration?
    public var strategy: StrategySpec

    public init(family: PollingFamily, parameter: Duration) {
        self.family = family
        self.parameter = parameter
        strategy = family.strategy(parameter)
    }

    public init(reference: StrategySpec) {
        strategy = reference
    }

    /// The `family` column: the family's name, or `reference`.
    public var familyName: String { family?.rawValue ?? "reference" }
}
