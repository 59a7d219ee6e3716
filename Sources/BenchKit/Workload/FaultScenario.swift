import Flows
import MockHelpDesk
import SimulationSupport

/// A fault, the strategies it concerns, and what they must still achieve.
public struct FaultScenario: Sendable {
    /// The `scenario` column: `drop-10pct`, `duplicate-30pct`, `outage-5s`, `slow-receiver`, `status-503-5pct`,
    /// `stream-drops`, `db-unavailable-20s`.
    public var name: String
    public var helpDesk = FaultConfiguration()
    public var receiver = ReceiverFaults()
    /// Restarts of the Help Desk's HTTP server during the run.
    public var restarts: [HelpDeskRestart] = []
    /// Our app's database unavailable for this long, from just after the last submission.
    public var storeOutageLength: Duration?
    public var strategies: [StrategySpec]

    /// Reconciliation sized to the compressed runs of the fault scenarios: a sweep every 10 s for rows pending 20 s.
    public static let hybrid = StrategySpec.hybrid(sweep: .seconds(10), staleAfter: .seconds(20))

    /// The faults of the reliability work, and the event stream's.
    public static let all: [FaultScenario] = {
        var drop = FaultScenario(name: "drop-10pct", strategies: [.webhook, hybrid, .pollFixed(interval: .seconds(1))])
        drop.helpDesk.dropWebhookRatio = 0.1

        var duplicate = FaultScenario(name: "duplicate-30pct", strategies: [.webhook, .webhookThin, hybrid])
        duplicate.helpDesk.duplicateDeliveryRatio = 0.3
        duplicate.helpDesk.maxExtraDeliveryDelay = .seconds(2)

        var outage = FaultScenario(name: "outage-5s", strategies: [.webhook, hybrid])
        outage.receiver.outage = ReceiverOutageWindow(start: .seconds(3), length: .seconds(5))

        var slow = FaultScenario(name: "slow-receiver", strategies: [.webhook, .webhookThin])
        slow.receiver.slowFirstAnswer = .seconds(40)

        var status = FaultScenario(
            name: "status-503-5pct",
            strategies: [
                .pollFixed(interval: .seconds(1)), .pollBackoff(initial: .milliseconds(500), factor: 2, cap: .seconds(8)),
                .pollConditional(interval: .seconds(1)), .longPoll(wait: .seconds(30)), .pollEvents(interval: .seconds(1)), .webhookThin,
            ]
        )
        status.helpDesk.statusFailureRatio = 0.05
        // About the load of the pollers' own schedules, so 429s do happen.
        status.helpDesk.rateLimit = RateLimit(requestsPerSecond: 8, burst: 8)

        // The Help Desk ends every event stream after 10 events, and once restarts, unreachable for 2 s.
        var streamDrops = FaultScenario(name: "stream-drops", strategies: [.sse])
        streamDrops.helpDesk.closeStreamsAfterEvents = 10
        streamDrops.restarts = [HelpDeskRestart(at: .seconds(8), down: .seconds(2))]

        // Our database unavailable for 20 s once every document is submitted, while verdicts still come in.
        var database = FaultScenario(name: "db-unavailable-20s", strategies: [.webhook])
        database.storeOutageLength = .seconds(20)
        return [drop, duplicate, outage, slow, status, streamDrops, database]
    }()

    /// The names of ``all``: the fault section's scenarios.
    public static let names = Set(all.map(\.name))

    /// The scenario this fault runs as, from a base workload.
    public func scenario(from base: ScenarioSpec) -> ScenarioSpec {
        var scenario = base
        scenario.name = name
        scenario.faults = helpDesk
        scenario.receiverFaults = receiver
        scenario.helpDeskRestarts = restarts
        scenario.strategies = strategies
        // Submissions write too: the window opens just after the last one, while reviews are still being decided.
        scenario.storeOutage = storeOutageLength.map { StoreOutageWindow(start: (base.arrivals.offsets.last ?? .zero) + .milliseconds(100), length: $0) }
        // A timeout floor short enough for the slow receiver to exceed it at this time scale (0.25 s of wall time).
        scenario.minimumDeliveryTimeout = .milliseconds(250)
        // Retries and rate limits take their time: give every document half a minute more before it counts as lost.
        scenario.extraDrain = .seconds(30)
        return scenario
    }

    /// The base workload of the fault section: 60 documents at 400 per second, time scale 0.01, seed 42 — small, so
    /// the default suite keeps within its two minutes. It keeps the compressed scale of its own: the retry schedule
    /// and the outage are seconds to minutes of model time, which at 0.1 would take the section minutes of wall time.
    public static var baseWorkload: ScenarioSpec {
        var scenario = ScenarioSpec()
        scenario.documents = 60
        scenario.arrivalRate = 400
        scenario.timeScale = 0.01
        return scenario
    }
}
