import Flows
import Foundation
import Logging
import MockHelpDesk
import SimulationSupport

/// Our receiver down for 1 minute to 3 days at a steady day's volume, for webhooks (our app replaying what failed
/// once the outage is over), the hybrid and fixed polling, each cell a virtual-time run over real HTTP and SQLite
/// against a Help Desk retrying on Svix's schedule, with its model beside it.
///
/// The outage begins after a warm-up as long as the longest review, so reviews of every length are in progress when
/// it starts. Only the documents decided from ``Options/margin`` before the outage to ``Options/margin`` after it
/// bear on it; a cell runs those (the day's Poisson arrivals kept when their drawn review ends inside that window,
/// which is itself a Poisson process of decisions) and, when they would be more than its budget, a thinned day of
/// them: arrivals at a share `scale` of the day's rate. Every count is then given at the whole day's rate (÷ scale).
public struct OutageMatrix: Sendable {
    public struct Options: Sendable {
        public var documentsPerDay = 20_000
        public var outages: [Duration] = [.seconds(60), .seconds(3600), .seconds(6 * 3600), .seconds(30 * 3600), .seconds(3 * 86_400)]
        public var strategies: [StrategySpec] = [.webhook, .hybrid(sweep: .seconds(60), staleAfter: .seconds(120)), .pollFixed(interval: .seconds(60))]
        /// Documents a cell runs at most: a webhook's cost is a few requests each, a poller's one per interval.
        public var budget = 300
        public var pollingBudget = 40
        /// Decisions this long before and after the outage are run too.
        public var margin: Duration = .seconds(600)
        public var seed: UInt64 = 42
        /// The Help Desk's retry schedule and give-up rules, where chosen (Svix's schedule otherwise).
        public var webhookPolicy = WebhookPolicy()

        public init() {}
    }

    /// What an outage cost one strategy, every count at the day's whole rate.
    public struct Figures: Sendable, Hashable {
        /// Documents decided before the outage ended whose verdict had not reached our row when it ended.
        public var unknownAtEnd: Double
        /// From the outage's end until the last verdict decided before it was in our row; `nil` if one never came.
        public var catchUp: Double?
        /// Documents brought by the replay after the outage (webhook) or by a reconciliation sweep (hybrid).
        public var recovered: Double
        /// Webhook attempts our receiver refused, and our app's recovery requests.
        public var extraRequests: Double
        /// The most webhook attempts the receiver faced in one model minute.
        public var peakDeliveriesPerMinute: Double
        public var lost: Double
    }

    public struct Cell: Sendable {
        public var outage: Duration
        public var strategy: StrategySpec
        public var scale: Double
        public var result: StrategyResult
        public var measured: Figures
        public var model: Figures
    }

    public let options: Options
    public let progress: ProgressLine
    public let logger: Logger

    public init(options: Options = Options(), progress: ProgressLine, logger: Logger) {
        self.options = options
        self.progress = progress
        self.logger = logger
    }

    /// The cells, outage by outage, as many at once as the machine has cores.
    public func run() async throws -> [Cell] {
        let jobs = options.outages.flatMap { outage in options.strategies.map { (outage, $0) } }
        let folder = try ComparisonRun.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let total = jobs.count
        return try await ComparisonRun.inOrder(total, width: max(1, ProcessInfo.processInfo.activeProcessorCount)) { index in
            let (outage, strategy) = jobs[index]
            let (scenario, scale) = scenario(outage: outage, strategy: strategy)
            let label = "outages \(index + 1)/\(total) \(outage.compactDescription) \(strategy) on \(scenario.documents) documents"
            progress.update(label)
            let directory = folder.appendingPathComponent("cell-\(index)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let result = try await StrategyRunner(scenario: scenario, directory: directory, logger: logger).run(strategy, index: index)
            progress.finish("\(label): \(String(format: "%.1f", result.wallDuration.secondsValue)) s")
            return Cell(
                outage: outage, strategy: strategy, scale: scale, result: result,
                measured: measured(result, scenario: scenario, scale: scale),
                model: model(result, scenario: scenario, strategy: strategy, scale: scale)
            )
        }
    }

    /// The instant the outage begins, from the start of the submissions: a warm-up as long as the longest review.
    var outageStart: Duration { Self.reviewDelay.upperBound.map { $0 + options.margin } ?? .seconds(4 * 3600) }

    /// When a cell's outage ends, model seconds from the start of the submissions.
    private func outageEnd(_ scenario: ScenarioSpec) -> Double {
        (outageStart + (scenario.receiverFaults.outage?.length ?? .zero)).secondsValue
    }

    static var reviewDelay: DelayDistribution { ScenarioSpec.realScale.reviewDelay }

    /// One cell's workload, and the share of the day's rate it runs at.
    public func scenario(outage: Duration, strategy: StrategySpec) -> (ScenarioSpec, Double) {
        var scenario = ScenarioSpec.realScale
        scenario.name = "outage-\(outage.compactDescription)"
        scenario.seed = options.seed
        scenario.strategies = [strategy]
        scenario.webhookPolicy = options.webhookPolicy
        let start = outageStart
        // A poller does not depend on our receiver: its cells sample the decisions around the outage's end, which
        // its figures are about.
        let window = strategy.usesWebhooks ? (start - options.margin)...(start + outage + options.margin) : (start + outage - options.margin)...(start + outage + options.margin)
        let rate = Double(options.documentsPerDay) / 86_400
        let budget = strategy.usesWebhooks ? options.budget : options.pollingBudget
        let scale = min(1, Double(budget) / (rate * (window.upperBound - window.lowerBound).secondsValue))
        // The day's arrivals at the cell's rate, each with the review the day would give it, kept when the review ends
        // inside the window; the Help Desk then reviews each as the day's submission it stands for.
        let candidates = ArrivalSchedule(ratePerSecond: rate * scale, within: start + outage, seed: options.seed)
        var (kept, draws) = ([Duration](), [UInt64]())
        for (number, arrival) in candidates.offsets.enumerated() where window.contains(arrival + scenario.reviewDelay(ofSubmission: UInt64(number))) {
            kept.append(arrival)
            draws.append(UInt64(number))
        }
        scenario.explicitArrivals = kept
        scenario.reviewDraws = draws
        scenario.documents = kept.count
        scenario.arrivalRate = rate * scale
        scenario.receiverFaults.outage = ReceiverOutageWindow(start: start, length: outage, announcesEnd: false, recoverAfter: strategy == .webhook)
        // Between retries hours apart nothing moves: the drain waits for the schedule's longest gap, twice.
        scenario.extraDrain = (options.webhookPolicy.schedule ?? .standard).longestDelay * 2
        return (scenario, scale)
    }

    private func measured(_ result: StrategyResult, scenario: ScenarioSpec, scale: Double) -> Figures {
        let end = outageEnd(scenario)
        let documents = result.perDocument.compactMap { outcome -> (decided: Double, known: Double?)? in
            guard let decided = outcome.decidedAt?.secondsValue else { return nil }
            return (decided, outcome.latency.map { decided + $0.secondsValue })
        }
        return Figures(
            unknownAtEnd: Double(Self.unknown(documents, at: end)) / scale,
            catchUp: Self.catchUp(documents, after: end),
            recovered: Double(result.strategy == .webhook ? result.webhooksReplayed : result.reconciled) / scale,
            extraRequests: Double(result.webhookFailedAttempts + result.recoveryRequests) / scale,
            peakDeliveriesPerMinute: Double(result.peakDeliveriesPerMinute) / scale,
            lost: Double(result.lost) / scale
        )
    }

    /// The model on the run's own documents: the webhook timeline (with the replay), the hybrid's sweeps over it,
    /// or fixed polling's first poll after each decision.
    private func model(_ result: StrategyResult, scenario: ScenarioSpec, strategy: StrategySpec, scale: Double) -> Figures {
        let end = outageEnd(scenario)
        let delays = (0..<UInt64(scenario.documents)).map { scenario.reviewDelay(ofSubmission: $0).secondsValue }
        let workload = ((try? scenario.modelWorkload(window: result.modelDuration).onDraws(delays)) ?? scenario.modelWorkload(window: result.modelDuration))
            .onFaultDraws(seed: scenario.seed)
        var documents: [(decided: Double, known: Double?)]
        var (recovered, extra, attempts) = (0.0, 0.0, [Double]())
        switch strategy.definition {
        case let hybrid as Hybrid:
            let webhooks = DeliveryTimeline(workload)
            let sweeps = ReconciliationTimeline(webhooks, workload: workload, sweep: hybrid.sweep, staleAfter: hybrid.staleAfter)
            documents = sweeps.documents.map { ($0.decidedAt, $0.knownAt) }
            recovered = Double(sweeps.documents.filter(\.reconciled).count)
            (extra, attempts) = Self.failedAttempts(webhooks, recovery: 0)
        case is PollFixed, is PollConditional:
            let interval = (strategy.definition as? PollFixed)?.interval ?? (strategy.definition as? PollConditional)?.interval ?? .seconds(60)
            let network = workload.networkDelay
            documents = zip(workload.submissionInstants(), workload.delaysPerDocument(count: scenario.documents)).map { submitted, review in
                // The review starts when the submission reaches the Help Desk (d); polls leave from when its answer is
                // back (2d), every interval, and see the verdict if they reach the Help Desk (d) after it.
                let decided = submitted + network + review
                let polls = max(1, ((review - 2 * network) / interval.secondsValue).rounded(.up))
                return (decided, submitted + 4 * network + polls * interval.secondsValue)
            }
        default:
            let webhooks = DeliveryTimeline(workload)
            documents = webhooks.documents.map { ($0.decidedAt, $0.appliedAt) }
            recovered = Double(webhooks.documents.filter(\.replayed).count)
            (extra, attempts) = Self.failedAttempts(webhooks, recovery: webhooks.recoveryRequests)
        }
        return Figures(
            unknownAtEnd: Double(Self.unknown(documents, at: end)) / scale,
            catchUp: Self.catchUp(documents, after: end),
            recovered: recovered / scale,
            extraRequests: extra / scale,
            peakDeliveriesPerMinute: Double(Self.busiestMinute(attempts)) / scale,
            lost: Double(documents.filter { $0.known == nil }.count) / scale
        )
    }

    /// Attempts that failed (every one but the one that landed) plus the recovery's requests, and when each attempt
    /// left.
    private static func failedAttempts(_ timeline: DeliveryTimeline, recovery: Int) -> (Double, [Double]) {
        let attempts = timeline.documents.flatMap(\.attemptTimes) + timeline.documents.compactMap(\.duplicateAt)
        let landed = timeline.documents.filter { $0.appliedAt != nil }.count
        return (Double(attempts.count - landed + recovery), attempts)
    }

    static func unknown(_ documents: [(decided: Double, known: Double?)], at end: Double) -> Int {
        documents.filter { $0.decided < end && ($0.known ?? .infinity) > end }.count
    }

    static func catchUp(_ documents: [(decided: Double, known: Double?)], after end: Double) -> Double? {
        var latest = end
        for document in documents where document.decided < end {
            guard let known = document.known else { return nil }
            latest = max(latest, known)
        }
        return latest - end
    }

    /// The most instants in one minute, minutes counted from the start.
    static func busiestMinute(_ instants: [Double]) -> Int {
        Dictionary(grouping: instants) { Int(($0 / 60).rounded(.down)) }.values.map(\.count).max() ?? 0
    }
}
