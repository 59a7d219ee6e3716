import Flows
import MockHelpDesk
import SimulationSupport

/// One workload and the strategies to run on it.
public struct ScenarioSpec: Sendable {
    /// The `scenario` column of the results: `comparison`, or a fault's name.
    public var name = "comparison"
    public var documents = 1000
    /// How model time passes: virtual (moved when the system is quiet) or on the wall clock through ``timeScale``.
    public var clock = RunClock.wall
    /// Mean submissions per second (Poisson): per model second on a virtual clock, per wall second on the wall clock.
    public var arrivalRate = 125.0
    /// With a virtual clock, submit the arrivals that fall within this much model time instead of ``documents``
    /// (`--duration 1d`); ``documents`` is then set from the schedule.
    public var arrivalWindow: Duration?
    /// Arrivals chosen outright (``documents`` must be their count), in place of the Poisson schedule of
    /// ``arrivalRate``: a sample of a larger day (the outage matrix).
    public var explicitArrivals: [Duration]?
    /// With ``explicitArrivals`` taken from a larger day: each one's number in that day, which its review is drawn
    /// for (see `HelpDeskConfiguration.reviewDraws`).
    public var reviewDraws: [UInt64]?
    /// For a shard's part of a larger run (``Shard``): each document's number in that run, which its submission's
    /// document URL names, as the whole run's would.
    public var documentNumbers: [Int]?
    /// Wall seconds per model second, on the wall clock. At 0.1 the machine's own overhead (about half a millisecond
    /// of wall time per verdict) reads as a few model milliseconds, small beside the shortest poll interval of the
    /// suite (500 ms); the request rate per wall second does not depend on the scale, so a less compressed run costs
    /// no more. A virtual clock ignores it.
    public var timeScale = 0.1
    /// The modelled network between our app and the Help Desk: the one-way delay every request, answer, webhook and
    /// stream event pays, in model time.
    public var network = NetworkDelay.none
    public var seed: UInt64 = 42
    /// Model time a review takes (uniform on 2-5 s, as the reference tutorial has it).
    public var reviewDelay = DelayDistribution.uniform(.seconds(2) ... .seconds(5))
    public var acceptRatio = 0.7
    public var strategies: [StrategySpec] = ScenarioSpec.defaultStrategies
    /// Faults the Help Desk injects.
    public var faults = FaultConfiguration()
    /// Faults our receiver suffers.
    public var receiverFaults = ReceiverFaults()
    /// A window in which our app's database is unavailable.
    public var storeOutage: StoreOutageWindow?
    /// Restarts of the Help Desk's HTTP server during the run.
    public var helpDeskRestarts: [HelpDeskRestart] = []
    /// App instances over the run's one database, sharing the work through leases.
    public var instances = 1
    /// The HTTP client library our app's Help Desk client runs on.
    public var transport = HelpDeskTransportKind.asyncHTTPClient
    /// How long an instance's lease lasts unrenewed, model time (with several instances).
    public var lease: Duration = .seconds(3)
    /// Instance 0 killed mid-run and started again.
    public var instanceStop: InstanceStop?
    /// The least wall time a webhook attempt gets before the Help Desk gives up on it (see
    /// `DeliveryConfiguration.minimumWallTimeout`).
    public var minimumDeliveryTimeout: Duration = .seconds(2)
    /// On a virtual clock, the wall time the simulation may stay busy without becoming quiet before the run stops as
    /// incomplete (``VirtualTimeStepper/watchdog``).
    var watchdog: Duration = .seconds(30)
    /// Model time added to the drain's stall window (see ``StrategyRunner``).
    public var extraDrain: Duration = .zero
    /// Webhook attempts the Help Desk keeps in flight at once (its `DeliveryConfiguration.maxConcurrentAttempts`).
    public var maxConcurrentDeliveries = DeliveryConfiguration().maxConcurrentAttempts
    /// Requests each app instance keeps in flight to the Help Desk at most (its `maxRequestsInFlight`), which the
    /// models read too: a long-poll holds one per pending document.
    public var maxInFlight = ReviewAppConfiguration.defaultMaxRequestsInFlight
    /// The vendor whose published limits and webhook behaviour the Help Desk takes (explicit faults keep theirs).
    public var vendor: VendorProfile?
    /// The Help Desk's retry schedule and give-up rules, when chosen explicitly (over the vendor's).
    public var webhookPolicy = WebhookPolicy()

    public init() {}

    /// The strategies of the default comparison: every strategy, fixed polling at three intervals.
    public static let defaultStrategies: [StrategySpec] = [
        .webhook, .webhookThin,
        .pollFixed(interval: .milliseconds(500)), .pollFixed(interval: .seconds(1)), .pollFixed(interval: .seconds(2)),
        .pollBackoff(initial: .milliseconds(500), factor: 2, cap: .seconds(8)),
        .pollConditional(interval: .seconds(1)),
        .longPoll(wait: .seconds(30)),
        .pollEvents(interval: .seconds(1)),
        .hybrid(sweep: .seconds(60), staleAfter: .seconds(120)),
        .sse,
    ]

    /// The longest review of the run: the distribution's bound, or, when it has none, the longest delay the seed
    /// draws for the run's documents (each review's delay depends only on the seed and its ordinal).
    var longestReviewDelay: Duration {
        if let bound = reviewDelay.upperBound { return bound }
        return (0..<UInt64(documents)).reduce(Duration.zero) { longest, ordinal in
            max(longest, reviewDelay(ofSubmission: ordinal))
        }
    }

    /// The Help Desk this scenario runs against.
    var helpDeskConfiguration: HelpDeskConfiguration {
        var configuration = HelpDeskConfiguration()
        configuration.seed = seed
        configuration.reviewDelay = reviewDelay
        configuration.acceptRatio = acceptRatio
        configuration.reviewDraws = reviewDraws
        configuration.faults = faults
        configuration.delivery.minimumWallTimeout = clock == .wall ? minimumDeliveryTimeout : .zero
        configuration.delivery.maxConcurrentAttempts = maxConcurrentDeliveries
        configuration.network = networkWithSeed
        vendor?.apply(to: &configuration)
        webhookPolicy.apply(to: &configuration.delivery)
        return configuration
    }

    /// ``network`` drawing from this scenario's seed.
    var networkWithSeed: NetworkDelay {
        var network = network
        network.seed = seed
        return network
    }

    /// The time scale a run's clock has: ``timeScale`` on the wall clock, 1 on a virtual one.
    public var effectiveTimeScale: Double { clock == .virtual ? 1 : timeScale }

    /// The same workload in virtual time: the same model arrival rate (a wall rate times the time scale), nothing
    /// compressed.
    public func inVirtualTime() -> ScenarioSpec {
        guard clock == .wall else { return self }
        var scenario = self
        scenario.clock = .virtual
        scenario.arrivalRate = arrivalRate * timeScale
        return scenario
    }

    /// Mean arrivals per model second.
    public var modelArrivalRate: Double { clock == .virtual ? arrivalRate : arrivalRate * timeScale }

    /// The review delay the Help Desk draws for the document of submission `ordinal` (0-based): the same in every
    /// run of the seed.
    public func reviewDelay(ofSubmission ordinal: UInt64) -> Duration {
        ReviewPlan.draw(seed: seed, ordinal: helpDeskConfiguration.reviewDraw(ofSubmission: ordinal), delay: reviewDelay, acceptRatio: acceptRatio).delay
    }

    /// When each document is submitted.
    public var arrivals: ArrivalSchedule {
        if let explicitArrivals { return ArrivalSchedule(offsets: explicitArrivals) }
        if let arrivalWindow { return ArrivalSchedule(ratePerSecond: arrivalRate, within: arrivalWindow, seed: seed) }
        return ArrivalSchedule(documents: documents, ratePerSecond: arrivalRate, seed: seed)
    }
}

extension ScenarioSpec {
    /// Strategies from the space-separated canonical names `run.json` records.
    public static func strategies(named text: String) throws(StrategySpecError) -> [StrategySpec] {
        var specs: [StrategySpec] = []
        for name in text.split(separator: " ") { specs.append(try StrategySpec(parsing: String(name))) }
        return specs
    }
}
