/// What a strategy is modelled on: the workload, and the faults the model knows how to price.
public struct ModelWorkload: Sendable, Hashable {
    /// The review delay D, uniform on this range, model time.
    public var reviewDelay: ClosedRange<Duration>
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
    /// How the Help Desk's event stream behaves, for `sse`.
    public var stream = StreamWorkload()

    public init(reviewDelay: ClosedRange<Duration>, documents: Int, window: Duration, seed: UInt64) {
        self.reviewDelay = reviewDelay
        self.documents = documents
        self.window = window
        self.seed = seed
    }

    /// Review delays at the midpoints of `count` equal slices of the range, seconds: averaging a function over
    /// them integrates it over D numerically (the midpoint rule).
    public func delayGrid(count: Int = 20_000) -> [Double] {
        let low = reviewDelay.lowerBound.secondsValue
        let high = reviewDelay.upperBound.secondsValue
        guard high > low else { return [low] }
        return (0..<count).map { low + (high - low) * (Double($0) + 0.5) / Double(count) }
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
    /// How long each restart of the Help Desk during the run kept it unreachable, model time.
    public var outages: [Duration] = []
    /// The Help Desk's heartbeat interval on an idle stream, model time.
    public var heartbeat: Duration = .seconds(15)
    /// Bytes of one decision event on the stream, when known (the Help Desk's format, measured on a sample).
    public var eventBytes: Int?
    /// Bytes of one heartbeat comment, and of the `retry:` hint that opens each stream.
    public var heartbeatBytes = 0
    public var openingBytes = 0

    public init() {}
}

/// What theory expects of a strategy on a workload, beside what is measured: the whole latency distribution,
/// requests per document, and the share of documents it would lose.
public struct StrategyModel: Sendable, Hashable {
    /// Notification latency (decision to row), model seconds, over the documents not lost.
    public var latency: LatencyModel
    /// HTTP requests per document, the submission included.
    public var requestsPerDocument: Double
    /// Expected share of documents whose verdict never reaches their row.
    public var lostShare: Double
    /// Event-stream bytes per document (events, heartbeats, each stream's opening hint), where the model prices them.
    public var streamBytesPerDocument: Double?

    public init(latency: LatencyModel, requestsPerDocument: Double, lostShare: Double = 0, streamBytesPerDocument: Double? = nil) {
        self.latency = latency
        self.requestsPerDocument = requestsPerDocument
        self.lostShare = lostShare
        self.streamBytesPerDocument = streamBytesPerDocument
    }

    public var latencyMeanMilliseconds: Double { latency.mean * 1000 }

    /// The latency at percentile `percentile` (0...100), model milliseconds.
    public func latencyMilliseconds(atPercentile percentile: Double) -> Double {
        latency.quantile(percentile / 100) * 1000
    }
}
