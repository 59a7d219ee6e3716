import Flows
import MockHelpDesk
import SimulationSupport

/// What `Bench plan` is asked: the user's own volume, review delays and vendor limits, and the strategies to compare.
/// Everything is evaluated with the strategies' analytic models at real time (one model day), without simulation.
public struct PlanInput: Sendable {
    public var documentsPerDay: Int
    public var reviewDelay: DelayDistribution
    /// The vendor's limit on our requests to its read API (polls, feed reads, fetches, streams opened).
    public var rateLimit: RateLimit?
    /// A stricter limit on the event feed alone, when the vendor has one.
    public var feedRateLimit: RateLimit?
    /// The vendor whose published figures the plan takes (explicit options override them).
    public var vendor: VendorProfile?
    /// Requests our app keeps in flight at most: a long-poll holds one per pending document.
    public var maxInFlight = ReviewAppConfiguration.defaultMaxRequestsInFlight
    /// The one-way network delay between our app and the vendor.
    public var network = NetworkDelay.none
    /// The busiest hour's request rate over the day's average: 1 when the documents come evenly over the day.
    public var peakFactor: Double = 1
    /// The share of webhooks the vendor never delivers.
    public var dropRate: Double = 0
    /// Documents a day the recommended strategy may lose at the drop rate (``PlanRecommendation``).
    public var lossBudget: Double = 0
    public var strategies: [StrategySpec]
    /// For each family, the cheapest member whose p99 meets this, when set.
    public var targetP99: Duration?
    public var families: [PollingFamily] = PollingFamily.allCases
    /// Strategies left out because the vendor does not offer what they need, with why.
    public var notOffered: [(strategy: StrategySpec, availability: StrategyAvailability)] = []
    /// Seeds the models that draw their own schedules (backoff's jitter).
    public var seed: UInt64 = 42

    public init(documentsPerDay: Int, reviewDelay: DelayDistribution, strategies: [StrategySpec]) {
        self.documentsPerDay = documentsPerDay
        self.reviewDelay = reviewDelay
        self.strategies = strategies
    }

    public static let day: Duration = .seconds(86_400)

    /// The Help Desk the plan describes: the vendor's figures, then the options given.
    public var helpDesk: HelpDeskConfiguration {
        var helpDesk = HelpDeskConfiguration()
        helpDesk.faults.rateLimit = rateLimit
        helpDesk.faults.feedRateLimit = feedRateLimit
        vendor?.apply(to: &helpDesk)
        helpDesk.faults.dropWebhookRatio = dropRate
        helpDesk.network = network
        return helpDesk
    }

    /// One day of the workload, as the models take it, with the Help Desk's retry schedule and stream defaults.
    public var workload: ModelWorkload {
        let helpDesk = self.helpDesk
        var workload = ModelWorkload(reviewDelay: reviewDelay, documents: documentsPerDay, window: Self.day, seed: seed)
        workload.webhookDropRate = dropRate
        workload.networkDelay = network.mean.secondsValue
        workload.maxInFlight = maxInFlight
        workload.retryDelays = helpDesk.delivery.schedule.delays
        workload.stream.reconnectGap = helpDesk.stream.retryHint
        workload.stream.heartbeat = helpDesk.stream.heartbeat
        return workload
    }

    /// Checks every figure, naming the option that is wrong.
    public func validate() throws(BenchError) {
        guard documentsPerDay >= 1 else { throw BenchError("--documents-per-day must be at least 1") }
        for (limit, option) in [(rateLimit, "--rate-limit"), (feedRateLimit, "--feed-rate-limit")] {
            if let limit { guard limit.requestsPerSecond > 0, limit.requestsPerSecond.isFinite else { throw BenchError("\(option) must be a positive rate") } }
        }
        guard maxInFlight >= 1 else { throw BenchError("--max-in-flight must be at least 1") }
        guard peakFactor >= 1, peakFactor <= 24 else { throw BenchError("--peak-factor must be from 1 to 24 (the whole day in one hour)") }
        guard (0...1).contains(dropRate) else { throw BenchError("--drop-rate must be between 0 and 1") }
        guard lossBudget >= 0, lossBudget.isFinite else { throw BenchError("--loss-budget must be a number of documents a day, 0 or more") }
        if let targetP99 { guard targetP99 > .zero else { throw BenchError("--target-p99 must be a positive duration") } }
        guard !strategies.isEmpty else { throw BenchError("--strategies: the list is empty") }
    }
}

/// What one strategy costs and delivers in a day of the user's workload, by its model.
public struct PlanRow: Sendable {
    public enum Role: String, Sendable {
        /// A strategy the user asked to compare.
        case compared
        /// The cheapest member of a family that meets the target p99.
        case cheapest
        /// A family's member on a ladder of parameters (1-2-5 per decade), drawing its curve in the chart.
        case curve
    }

    public var strategy: StrategySpec
    public var role: Role
    public var model: StrategyModel
    public var documentsPerDay: Int
    /// The vendor's read limit, and the event feed's own, per second.
    public var rateLimit: Double?
    public var feedRateLimit: Double?
    /// Requests our app may keep in flight.
    public var maxInFlight: Int
    public var peakFactor: Double
    public var targetP99: Duration?
    /// Requests our app has in flight at once in the busiest hour: a long-poll's one per pending document (by Little's
    /// law, arrivals per second times the mean review delay and a round trip), `sse`'s one stream, and reads per
    /// second times the round trip (0 without a network delay) for the rest.
    public var heldRequests: Double

    /// - Parameter meanDelay: The mean review delay, seconds.
    public init(strategy: StrategySpec, role: Role, model: StrategyModel, input: PlanInput, meanDelay: Double) {
        self.strategy = strategy
        self.role = role
        self.model = model
        documentsPerDay = input.documentsPerDay
        let helpDesk = input.helpDesk
        rateLimit = helpDesk.faults.rateLimit?.requestsPerSecond
        feedRateLimit = strategy.definition is PollEvents ? helpDesk.faults.feedRateLimit?.requestsPerSecond : nil
        maxInFlight = input.maxInFlight
        peakFactor = input.peakFactor
        targetP99 = input.targetP99
        // Little's law at the busiest hour: a long-poll holds a request per pending document, from its submission's
        // answer to its verdict; every other read is in flight for a round trip; `sse` also holds its one stream.
        let roundTrip = 2 * input.network.mean.secondsValue
        let arrivals = Double(input.documentsPerDay) / PlanInput.day.secondsValue * input.peakFactor
        let reads = model.apiReadsPerDocument * arrivals * roundTrip
        switch strategy.definition {
        case is LongPoll: heldRequests = arrivals * (meanDelay + roundTrip)
        case is ServerSentEvents: heldRequests = 1 + reads
        default: heldRequests = reads
        }
    }

    private var documents: Double { Double(documentsPerDay) }
    public var requestsPerDay: Double { model.requestsPerDocument * documents }
    public var learningRequestsPerDay: Double { model.learningRequestsPerDocument * documents }
    public var wastedRequestsPerDay: Double { model.wastedRequestsPerDocument * documents }
    public var writesPerDay: Double { model.writesPerDocument * documents }
    public var lostPerDay: Double { model.lostShare * documents }
    public var latencyP50: Double { model.latency.quantile(0.5) }
    public var latencyP99: Double { model.latency.quantile(0.99) }
    public var latencyMean: Double { model.latency.mean }

    /// Our requests to the vendor's read API per second in the busiest hour.
    public var peakReadsPerSecond: Double { model.apiReadsPerDocument * documents / PlanInput.day.secondsValue * peakFactor }

    /// Whether the busiest hour's reads exceed the rate limit, or the event feed's own (`nil` without one): the
    /// vendor would answer 429 and the pollers would fall behind their schedule.
    public var throttled: Bool? {
        guard rateLimit != nil || feedRateLimit != nil else { return nil }
        return peakReadsPerSecond > min(rateLimit ?? .infinity, feedRateLimit ?? .infinity)
    }

    /// The lowest limit on this strategy's reads, per second.
    public var bindingRateLimit: Double? {
        guard rateLimit != nil || feedRateLimit != nil else { return nil }
        return min(rateLimit ?? .infinity, feedRateLimit ?? .infinity)
    }

    /// Whether the strategy needs more requests in flight at once than our app allows (a long-poll's queue for
    /// the slots is then in its model).
    public var needsMoreSlots: Bool { heldRequests > Double(maxInFlight) }

    /// Whether the modelled p99 meets the target (`nil` without one).
    public var meetsTarget: Bool? { targetP99.map { latencyP99 <= $0.secondsValue } }
}

/// `Bench plan`'s answer: each strategy asked for, and each family's cheapest member meeting the target.
public struct Plan: Sendable {
    public var input: PlanInput
    public var rows: [PlanRow]
    /// The families searched and what each found (`nil`: no member meets the target), when a target was given.
    public var searches: [(family: PollingFamily, choice: IntervalSearch.Choice?)]
    /// Under a rate limit, each family's shortest parameter whose reads stay within it at the busiest hour (`nil`:
    /// no candidate does): the limit forbids every shorter one.
    public var shortestAllowed: [(family: PollingFamily, parameter: Duration?)] = []

    public init(_ input: PlanInput) {
        self.input = input
        let workload = input.workload
        let meanDelay = workload.average { $0 }
        rows = input.strategies.map { PlanRow(strategy: $0, role: .compared, model: $0.model(workload), input: input, meanDelay: meanDelay) }
        searches = []
        if let target = input.targetP99 {
            for family in input.families {
                let choice = IntervalSearch.cheapest(family, meeting: target, on: workload)
                searches.append((family, choice))
                if let choice { rows.append(PlanRow(strategy: choice.strategy, role: .cheapest, model: choice.model, input: input, meanDelay: meanDelay)) }
            }
        }
        for family in input.families { rows += Self.curve(family, input: input, workload: workload, meanDelay: meanDelay) }
        if input.helpDesk.faults.rateLimit != nil || input.helpDesk.faults.feedRateLimit != nil {
            shortestAllowed = input.families.map { ($0, Self.shortestAllowed($0, input: input, workload: workload, meanDelay: meanDelay)) }
        }
    }

    /// The family's shortest candidate not throttled, by binary search: its reads never rise with the parameter.
    static func shortestAllowed(_ family: PollingFamily, input: PlanInput, workload: ModelWorkload, meanDelay: Double) -> Duration? {
        let candidates = family.candidates
        func allowed(_ index: Int) -> Bool {
            let strategy = family.strategy(candidates[index])
            return PlanRow(strategy: strategy, role: .curve, model: strategy.model(workload), input: input, meanDelay: meanDelay).throttled != true
        }
        guard let last = candidates.indices.last, allowed(last) else { return nil }
        var (low, high) = (0, last)
        while low < high {
            let middle = (low + high) / 2
            if allowed(middle) { high = middle } else { low = middle + 1 }
        }
        return candidates[low]
    }

    /// Each family's members at 1, 2 and 5 per decade, from 100 ms to the family's longest candidate.
    static func curve(_ family: PollingFamily, input: PlanInput, workload: ModelWorkload, meanDelay: Double) -> [PlanRow] {
        let highest = family.candidates.last?.secondsValue ?? 0
        var parameters: [Duration] = []
        var decade = 0.1
        while decade <= highest {
            for step in [1.0, 2, 5] where decade * step <= highest * (1 + 1e-9) { parameters.append(.milliseconds(Int64((decade * step * 1000).rounded()))) }
            decade *= 10
        }
        return parameters.map(family.strategy).map { PlanRow(strategy: $0, role: .curve, model: $0.model(workload), input: input, meanDelay: meanDelay) }
    }
}
