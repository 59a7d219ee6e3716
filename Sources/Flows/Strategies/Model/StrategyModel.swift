import Foundation
import SimulationSupport

/// What a strategy is modelled on: the workload, and the faults the model knows how to price.
public struct ModelWorkload: Sendable, Hashable {
    /// The review delay D, model time.
    public var reviewDelay: DelayDistribution {
        didSet { grid = Self.grid(reviewDelay, count: Self.gridCount) }
    }
    public var documents: Int
    /// How long the run lasted, model time (strategies whose reads are shared by all documents spread them over it).
    public var window: Duration
    /// Seeds the draws of a model that simulates its own schedule (backoff's jitter).
    public var seed: UInt64
    /// Share of webhook messages never sent at all (lost unless something else catches them).
    public var webhookDropRate: Double = 0
    /// Share of webhook attempts that fail, each on its own; a failed attempt is retried after the next delay of
    /// ``retryDelays``, and a message whose every attempt fails is lost.
    public var attemptFailureRate: Double = 0
    /// The delay before each attempt of a webhook, the first usually zero, model time.
    public var retryDelays: [Duration] = [.zero]
    /// Duplicates, delays, receiver outages and slow answers: with any, webhook models follow each document
    /// (``DeliveryTimeline``).
    public var deliveryFaults = DeliveryFaultWorkload()
    /// 503s and rate limits on the status route: with any, per-document pollers' models follow each request
    /// (``PollingQueueModel``).
    public var readFaults = ReadFaultWorkload()
    /// How the Help Desk's event stream behaves, for `sse`.
    public var stream = StreamWorkload()
    /// The one-way network delay between our app and the Help Desk, model seconds (its mean, for a drawn delay):
    /// every request, answer, webhook and stream event pays it.
    public var networkDelay: Double = 0
    /// Requests our app keeps in flight at most (its `maxRequestsInFlight`); `nil` for no limit. A long-poll holds one
    /// per pending document, so fewer slots than pending documents make them queue (``SlotQueueModel``).
    public var maxInFlight: Int?
    /// When each document is submitted, seconds from the start, ascending; `nil` for ``documents`` evenly over
    /// ``window``.
    public var arrivals: [Double]?
    /// Each document's id, in submission order, when the run's are known: our app draws each backoff delay from its
    /// seed, the document's id and the attempt, and a model on the run's draws takes the same.
    public var documentIds: [String]?

    /// Whether the workload holds each document's own review delay (``onDraws(_:)``).
    public var isOnDraws: Bool { gridIsPerDocument }

    /// The review delays of ``delayGrid(count:)`` at its usual count, computed once.
    private var grid: [Double]
    /// Added to every review delay of the grid (see ``seenByPolls()``).
    private var gridShift: Double = 0
    /// Whether ``grid`` holds each document's own delay in submission order (``onDraws(_:)``).
    private var gridIsPerDocument = false

    public init(reviewDelay: DelayDistribution, documents: Int, window: Duration, seed: UInt64) {
        self.reviewDelay = reviewDelay
        grid = Self.grid(reviewDelay, count: Self.gridCount)
        self.documents = documents
        self.window = window
        self.seed = seed
    }

    /// A review delay of uniform duration on `range`, as the reference tutorial has it.
    public init(reviewDelay range: ClosedRange<Duration>, documents: Int, window: Duration, seed: UInt64) {
        self.init(reviewDelay: .uniform(range), documents: documents, window: window, seed: seed)
    }

    public static let gridCount = 20_000

    /// The review delays at the midpoints of `count` equal slices of probability, seconds: averaging a function over
    /// them integrates it over D numerically (the midpoint rule; for a uniform D, evenly spaced delays).
    public func delayGrid(count: Int = gridCount) -> [Double] {
        let grid = count == Self.gridCount ? self.grid : Self.grid(reviewDelay, count: count)
        return gridShift == 0 ? grid : grid.map { $0 + gridShift }
    }

    /// The workload with these review delays (seconds), one per document, in place of the distribution's: the model
    /// then integrates over the delays a run really drew, each once (a coarser grid uses their empirical quantiles).
    public func onDraws(_ delays: [Double]) throws(DelayDistributionError) -> ModelWorkload {
        var drawn = self
        drawn.reviewDelay = try DelayDistribution(.empirical(seconds: delays, source: "the run's reviews"))
        if !delays.isEmpty {
            drawn.grid = delays
            drawn.gridIsPerDocument = true
        }
        return drawn
    }

    /// The workload with the Help Desk's own fault draws (seeded by `seed`) in place of the model's: which status
    /// requests fail, which messages are dropped, duplicated and delayed, as in the run.
    public func onFaultDraws(seed: UInt64) -> ModelWorkload {
        var drawn = self
        drawn.readFaults.drawnWithSeed = seed
        drawn.deliveryFaults.drawnWithSeed = seed
        drawn.stream.drawnWithSeed = seed
        return drawn
    }

    /// The workload with the run's document ids, in submission order (see ``documentIds``).
    public func withDocumentIds(_ ids: [String]?) -> ModelWorkload {
        var identified = self
        identified.documentIds = ids
        return identified
    }

    /// The workload as a poller of one document sees it over the network: its first request leaves when the
    /// submission's answer is back (2 one-way delays after the Help Desk's clock started the review) and reaches the
    /// Help Desk a delay later, so a poll sees the verdict when its elapsed time from the watch reaches D − 2·delay.
    /// A poller's model on this workload, its latency moved by one delay (``StrategyModel/delayed(by:)``, the
    /// answer's way back), is its model over the network; each grid delay may then be negative (a review shorter
    /// than the round trip), decided before the first poll arrives.
    public func seenByPolls() -> ModelWorkload {
        var seen = self
        seen.gridShift -= 2 * networkDelay
        return seen
    }

    private static func grid(_ delay: DelayDistribution, count: Int) -> [Double] {
        guard !delay.isConstant else { return [delay.quantile(0)] }
        return (0..<count).map { delay.quantile((Double($0) + 0.5) / Double(count)) }
    }

    /// Submission instants of the first `count` documents (all by default), seconds: ``arrivals``, or ``documents``
    /// evenly over the window.
    public func submissionInstants(count: Int? = nil) -> [Double] {
        let count = min(count ?? documents, arrivals?.count ?? documents)
        if let arrivals { return Array(arrivals.prefix(count)) }
        let gap = window.secondsValue / Double(max(documents, 1))
        return (0..<count).map { Double($0) * gap }
    }

    /// The time from the first submission to the last.
    public var submissionSpan: Double {
        arrivals?.last ?? window.secondsValue * Double(max(documents - 1, 0)) / Double(max(documents, 1))
    }

    /// A review delay for each of `count` documents (all by default), in submission order: each document's own after
    /// ``onDraws(_:)``, else the distribution's quantiles at the midpoints of `count` equal slices, in an order
    /// shuffled by the seed.
    public func delaysPerDocument(count: Int? = nil) -> [Double] {
        let count = count ?? documents
        if gridIsPerDocument, grid.count >= count { return Array(grid.prefix(count)) }
        var delays = (0..<count).map { reviewDelay.quantile((Double($0) + 0.5) / Double(count)) }
        var random = SeededGenerator(seed: seed ^ 0x5107_0E0E)
        delays.shuffle(using: &random)
        return delays
    }

    /// The mean of `f(D)` over the review delay.
    public func average(_ f: (Double) -> Double) -> Double {
        let grid = delayGrid()
        return grid.reduce(0) { $0 + f($1) } / Double(grid.count)
    }
}

/// What the model of `sse` needs to know about the Help Desk's event stream.
public struct StreamWorkload: Sendable, Hashable {
    /// The wait between a stream's end and the next one, model time: the Help Desk's `retry:` hint.
    public var reconnectGap: Duration = .seconds(1)
    /// The Help Desk ends every stream after this many events (fault injection), if it does.
    public var closesAfterEvents: Int?
    /// Each restart of the Help Desk during the run: when (model time from the start) and how long it stayed
    /// unreachable.
    public var outages: [StreamOutage] = []
    /// Our app's seed, to take the run's own reconnection draws (its documented stream (seed, `sse-reconnect`));
    /// without it the model takes draws of its own and averages over replications.
    public var drawnWithSeed: UInt64?
    /// The Help Desk's heartbeat interval on an idle stream, model time.
    public var heartbeat: Duration = .seconds(15)
    /// Bytes of one decision event on the stream, when known (the Help Desk's format, measured on a sample).
    public var eventBytes: Int?
    /// Bytes of one heartbeat comment, and of the `retry:` hint that opens each stream.
    public var heartbeatBytes = 0
    public var openingBytes = 0

    public init() {}
}

/// A restart of the Help Desk: at `at`, model time from the start, unreachable for `down`.
public struct StreamOutage: Sendable, Hashable {
    public var at: Duration
    public var down: Duration

    public init(at: Duration, down: Duration) {
        self.at = at
        self.down = down
    }
}

extension ModelWorkload {
    /// Decisions per model second, over the run's window.
    public var decisionRate: Double { Double(max(documents, 1)) / max(window.secondsValue, 1e-9) }

    /// Of `reads` reads of the event feed per document, made every `interval` over the window, those expected to
    /// find nothing new: a tick with no decision since the last (Poisson decisions at ``decisionRate``) reads one
    /// empty page.
    func emptyFeedReads(every interval: Duration, rate: Double) -> Double {
        let ticks = window.secondsValue / interval.secondsValue
        return ticks * exp(-rate * interval.secondsValue) / Double(max(documents, 1))
    }
}

/// What theory expects of a strategy on a workload, beside what is measured: the whole latency distribution,
/// requests per document, and the share of documents it would lose.
public struct StrategyModel: Sendable, Hashable {
    /// Notification latency (decision to row), model seconds, over the documents not lost.
    public var latency: LatencyModel
    /// HTTP requests per document, the submission included.
    public var requestsPerDocument: Double
    /// Of the learning requests (every request but the submission), those after which no row changed, per document:
    /// polls still pending, failed webhook attempts, feed reads with nothing new.
    public var wastedRequestsPerDocument: Double
    /// Our app's write steps per document (each one transaction of ``ReviewStore``): the submission's intent and
    /// row, then each step that applies a verdict (or stores a thin notification).
    public var writesPerDocument: Double
    /// Of the learning requests, the webhook attempts the Help Desk makes to us, per document (the rest are our
    /// requests to its API).
    public var deliveriesPerDocument: Double
    /// Expected share of documents whose verdict never reaches their row.
    public var lostShare: Double
    /// Event-stream bytes per document (events, heartbeats, each stream's opening hint), where the model prices them.
    public var streamBytesPerDocument: Double?

    /// - Parameters:
    ///   - wastedRequestsPerDocument: By default every learning request but one per document: a strategy that asks
    ///     about each document until one answer brings its verdict.
    ///   - writesPerDocument: By default ``submissionWrites`` and one verdict.
    public init(
        latency: LatencyModel,
        requestsPerDocument: Double,
        wastedRequestsPerDocument: Double? = nil,
        writesPerDocument: Double = StrategyModel.submissionWrites + 1,
        deliveriesPerDocument: Double = 0,
        lostShare: Double = 0,
        streamBytesPerDocument: Double? = nil
    ) {
        self.latency = latency
        self.requestsPerDocument = requestsPerDocument
        self.wastedRequestsPerDocument = wastedRequestsPerDocument ?? max(0, requestsPerDocument - 2)
        self.writesPerDocument = writesPerDocument
        self.deliveriesPerDocument = deliveriesPerDocument
        self.lostShare = lostShare
        self.streamBytesPerDocument = streamBytesPerDocument
    }

    /// Write steps of a submission: its intent, stored before it is sent, then its row (which deletes the intent).
    public static let submissionWrites = 2.0

    /// Requests per document by which the app learns or tries to learn (every request but the submission).
    public var learningRequestsPerDocument: Double { max(0, requestsPerDocument - 1) }

    /// Requests per document our app makes to the Help Desk's read API (polls, feed reads, fetches, streams opened):
    /// what a vendor's rate limit counts.
    public var apiReadsPerDocument: Double { max(0, learningRequestsPerDocument - deliveriesPerDocument) }

    /// The share of learning requests that learned something: 1 when there are none.
    public var efficiency: Double {
        learningRequestsPerDocument > 0 ? 1 - wastedRequestsPerDocument / learningRequestsPerDocument : 1
    }

    public var latencyMeanMilliseconds: Double { latency.mean * 1000 }

    /// The same model with every latency `seconds` longer: the network's delay on the way to our row.
    public func delayed(by seconds: Double) -> StrategyModel {
        guard seconds != 0 else { return self }
        var delayed = self
        delayed.latency = latency.shifted(by: seconds)
        return delayed
    }

    /// The latency at percentile `percentile` (0...100), model milliseconds.
    public func latencyMilliseconds(atPercentile percentile: Double) -> Double {
        latency.quantile(percentile / 100) * 1000
    }
}
