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

/// What theory expects of a strategy on a workload, beside what is measured: the whole latency distribution,
/// requests per document, and the share of documents it would lose.
public struct StrategyModel: Sendable, Hashable {
    /// Notification latency (decision to row), model seconds, over the documents not lost.
    public var latency: LatencyModel
    /// HTTP requests per document, the submission included.
    public var requestsPerDocument: Double
    /// Expected share of documents whose verdict never reaches their row.
    public var lostShare: Double

    public init(latency: LatencyModel, requestsPerDocument: Double, lostShare: Double = 0) {
        self.latency = latency
        self.requestsPerDocument = requestsPerDocument
        self.lostShare = lostShare
    }

    public var latencyMeanMilliseconds: Double { latency.mean * 1000 }

    /// The latency at percentile `percentile` (0...100), model milliseconds.
    public func latencyMilliseconds(atPercentile percentile: Double) -> Double {
        latency.quantile(percentile / 100) * 1000
    }
}
