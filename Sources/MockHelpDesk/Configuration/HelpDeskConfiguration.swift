import Foundation
import SimulationSupport

/// Everything that shapes the simulated vendor. Every duration is model time (see `SimulationClock`).
public struct HelpDeskConfiguration: Sendable {
    /// Seeds every random draw: review delays and verdicts, identifiers, faults and retry jitter.
    public var seed: UInt64 = 42
    /// How long a review takes: a draw from this distribution (uniform on 2-5 s by default).
    public var reviewDelay = DelayDistribution.uniform(.seconds(2) ... .seconds(5))
    /// Probability that a review ends `ACCEPTED` rather than `DECLINED`.
    public var acceptRatio: Double = 0.7
    /// For a run of a sample of a larger day: the n-th submission is reviewed as the day's submission numbered
    /// `reviewDraws[n]` would be (its delay and verdict drawn for that number); past the list, as its own number.
    public var reviewDraws: [UInt64]?

    /// The number whose draws review the submission numbered `ordinal` (0-based).
    public func reviewDraw(ofSubmission ordinal: UInt64) -> UInt64 {
        guard let reviewDraws, ordinal < reviewDraws.count else { return ordinal }
        return reviewDraws[Int(ordinal)]
    }
    /// Time `POST /document` spends before answering, during which a second request with the same
    /// idempotency key is refused with 409.
    public var submitLatency: Duration = .zero
    /// Where webhooks may be sent.
    public var callbackPolicy = CallbackPolicy()
    /// How long an idempotency key is remembered.
    public var idempotencyKeyTTL: Duration = .seconds(24 * 3600)
    /// The longest `wait` a long-poll may ask for.
    public var maxWait: Duration = .seconds(300)
    public var delivery = DeliveryConfiguration()
    public var stream = StreamConfiguration()
    public var faults = FaultConfiguration()
    /// The one-way delay, in model time, of every webhook and its answer, and of every event written to a stream;
    /// our app's client models its own requests' delays.
    public var network = NetworkDelay.none

    public init() {}

    /// Checks that every figure is usable.
    public func validate() throws(ConfigurationError) {
        try ConfigurationError.requireRatio(acceptRatio, "accept ratio")
        guard submitLatency >= .zero else { throw ConfigurationError("submit latency must not be negative") }
        guard idempotencyKeyTTL > .zero else { throw ConfigurationError("idempotency key TTL must be positive") }
        guard maxWait >= .zero else { throw ConfigurationError("max wait must not be negative") }
        try delivery.validate()
        try stream.validate()
        try faults.validate()
    }
}

/// How the webhook dispatcher sends and retries.
public struct DeliveryConfiguration: Sendable, Equatable {
    /// Delays before each attempt, the first usually zero.
    public var schedule = RetrySchedule.standard
    /// Each retry delay is moved by up to this fraction, up or down, by a seeded draw.
    public var jitter: Double = 0.1
    /// A receiver that has not answered within this time has failed the attempt.
    public var timeout: Duration = .seconds(15)
    /// The least wall time an attempt gets before it times out, whatever the time scale. At 0.01 the 15 s model
    /// timeout is 150 ms of wall time, short enough for a busy machine to fail a healthy receiver; benchmarks set
    /// a floor so machine noise is not mistaken for receiver failure. Zero (the default) applies the model timeout alone.
    public var minimumWallTimeout: Duration = .zero
    /// Attempts in flight at once; more wait their turn before their timeout starts.
    public var maxConcurrentAttempts = 64
    /// When the Help Desk gives up on a callback URL that keeps failing.
    public var endpoints = EndpointPolicy()

    public init() {}

    func validate() throws(ConfigurationError) {
        guard !schedule.delays.isEmpty else { throw ConfigurationError("the retry schedule needs at least one attempt") }
        guard schedule.delays.allSatisfy({ $0 >= .zero }) else { throw ConfigurationError("retry delays must not be negative") }
        guard zip(schedule.delays, schedule.delays.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw ConfigurationError("retry delays must not decrease")
        }
        try endpoints.validate()
        guard (0...1).contains(jitter) else { throw ConfigurationError("jitter must be between 0 and 1") }
        guard timeout > .zero else { throw ConfigurationError("delivery timeout must be positive") }
        guard maxConcurrentAttempts > 0 else { throw ConfigurationError("max concurrent attempts must be positive") }
    }
}

/// The give-up rules for a callback URL that keeps failing, as vendors run them: disabled after a number of failures
/// in a row (Hookdeck Outpost: 20) or after failing for a span of time with no success (Svix: 5 days), and a
/// circuit breaker that pauses deliveries while most recent attempts fail (Zendesk's trips at 70 % errors). A
/// disabled endpoint receives nothing until enabled again (`POST /endpoints/enable`); its messages end `disabled` and
/// can be replayed. All off by default. Model time.
public struct EndpointPolicy: Sendable, Equatable {
    /// Disable after this many failed attempts in a row.
    public var disableAfterConsecutiveFailures: Int?
    /// Disable at a failure when the endpoint has failed, with no success, for at least this long.
    public var disableAfterFailingFor: Duration?
    public var circuitBreaker: CircuitBreaker?

    public init(disableAfterConsecutiveFailures: Int? = nil, disableAfterFailingFor: Duration? = nil, circuitBreaker: CircuitBreaker? = nil) {
        self.disableAfterConsecutiveFailures = disableAfterConsecutiveFailures
        self.disableAfterFailingFor = disableAfterFailingFor
        self.circuitBreaker = circuitBreaker
    }

    /// Whether any rule is on.
    public var isOff: Bool { disableAfterConsecutiveFailures == nil && disableAfterFailingFor == nil && circuitBreaker == nil }

    func validate() throws(ConfigurationError) {
        if let count = disableAfterConsecutiveFailures, count <= 0 {
            throw ConfigurationError("the failures before an endpoint is disabled must be positive, not \(count)")
        }
        if let span = disableAfterFailingFor, span <= .zero {
            throw ConfigurationError("the failing time before an endpoint is disabled must be positive")
        }
        try circuitBreaker?.validate()
    }
}

/// Pauses deliveries to an endpoint for ``pause`` once, over the last ``window``, at least ``minimumAttempts`` attempts
/// were made and a share of at least ``errorShare`` of them failed. Attempts due while paused wait for its end without
/// using up a place in the retry schedule.
public struct CircuitBreaker: Sendable, Equatable {
    public var errorShare: Double
    public var window: Duration
    public var minimumAttempts: Int
    public var pause: Duration

    public init(errorShare: Double, window: Duration, minimumAttempts: Int, pause: Duration) {
        self.errorShare = errorShare
        self.window = window
        self.minimumAttempts = minimumAttempts
        self.pause = pause
    }

    func validate() throws(ConfigurationError) {
        guard errorShare > 0, errorShare <= 1 else { throw ConfigurationError("the circuit breaker's error share must be in (0, 1], not \(errorShare)") }
        guard window > .zero, pause > .zero else { throw ConfigurationError("the circuit breaker's window and pause must be positive") }
        guard minimumAttempts > 0 else { throw ConfigurationError("the circuit breaker's minimum attempts must be positive") }
    }
}

/// How `GET /events/stream` serves server-sent events.
public struct StreamConfiguration: Sendable, Equatable {
    /// An idle stream gets a comment this often, model time, so the client can tell a quiet stream from a dead one.
    public var heartbeat: Duration = .seconds(15)
    /// The `retry:` hint each stream starts with: how long a client should wait before reconnecting, model time.
    public var retryHint: Duration = .seconds(1)
    /// Streams open at once; a request for one more is refused with 429 and `Retry-After`.
    public var maxStreams = 16

    public init() {}

    func validate() throws(ConfigurationError) {
        guard heartbeat > .zero else { throw ConfigurationError("the stream heartbeat must be positive") }
        guard retryHint >= .zero else { throw ConfigurationError("the stream retry hint must not be negative") }
        guard maxStreams > 0 else { throw ConfigurationError("max streams must be positive") }
    }
}

/// Faults the Help Desk injects on purpose, each drawn from the seed.
public struct FaultConfiguration: Sendable, Equatable {
    /// Fraction of decided webhooks never sent.
    public var dropWebhookRatio: Double = 0
    /// Fraction of webhooks sent twice with the same `webhook-id`.
    public var duplicateDeliveryRatio: Double = 0
    /// A uniform delay in `[0, maxExtraDeliveryDelay]` before a webhook's first send and before its duplicate,
    /// so deliveries can arrive out of order.
    public var maxExtraDeliveryDelay: Duration = .zero
    /// Fraction of `GET /document/{id}` requests answered 503.
    public var statusFailureRatio: Double = 0
    /// The limit shared by the status, event and stream routes; over it they answer 429 with `Retry-After`, and
    /// every answer of theirs carries `X-RateLimit-Limit`, `-Remaining` and `-Reset`.
    public var rateLimit: RateLimit?
    /// A stricter limit on the event feed alone (`GET /events`), checked before ``rateLimit``.
    public var feedRateLimit: RateLimit?
    /// Whether each webhook attempt uses up a request of ``rateLimit``, as some vendors count them.
    public var webhooksCountAgainstRateLimit = false
    /// Every event stream is ended by the Help Desk after sending this many events, as a proxy or a deploy would
    /// cut it; the client must reconnect and resume.
    public var closeStreamsAfterEvents: Int?

    public init() {}

    func validate() throws(ConfigurationError) {
        try ConfigurationError.requireRatio(dropWebhookRatio, "drop ratio")
        try ConfigurationError.requireRatio(duplicateDeliveryRatio, "duplicate ratio")
        try ConfigurationError.requireRatio(statusFailureRatio, "status failure ratio")
        if let closeStreamsAfterEvents, closeStreamsAfterEvents < 1 {
            throw ConfigurationError("streams must carry at least one event before they are closed")
        }
        guard maxExtraDeliveryDelay >= .zero else { throw ConfigurationError("extra delivery delay must not be negative") }
        try rateLimit?.validate()
        try feedRateLimit?.validate()
    }
}

/// A vendor's limit on our requests to its read API, enforced the way the vendor does: a token bucket (`burst`
/// requests at once, refilled continuously at `requestsPerSecond`) or fixed windows (`burst` requests in each
/// `window`, counted afresh when the next window starts). Model time.
public struct RateLimit: Sendable, Equatable, CustomStringConvertible {
    public enum Enforcement: String, Sendable, Equatable, CaseIterable {
        case tokenBucket = "bucket"
        case fixedWindow = "window"
    }

    public var enforcement: Enforcement
    /// The bucket's capacity, or the requests each window allows.
    public var burst: Int
    /// The bucket's refill rate; for windows, the limit's average rate.
    public var requestsPerSecond: Double
    /// A window's length (for a bucket, the time it takes to refill from empty).
    public var window: Duration

    /// A token bucket.
    public init(requestsPerSecond: Double, burst: Int) {
        enforcement = .tokenBucket
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        window = .seconds(Double(burst) / max(requestsPerSecond, .leastNormalMagnitude))
    }

    /// Fixed windows of `period`, each allowing `requests`.
    public static func window(_ requests: Int, per period: Duration) -> RateLimit {
        var limit = RateLimit(requestsPerSecond: Double(requests) / max(period.secondsValue, .leastNormalMagnitude), burst: requests)
        limit.enforcement = .fixedWindow
        limit.window = period
        return limit
    }

    public var description: String {
        switch enforcement {
        case .fixedWindow: "\(burst) per \(window.compactDescription) window"
        case .tokenBucket: "\(String(format: "%g", requestsPerSecond))/s, bucket of \(burst)"
        }
    }

    func validate() throws(ConfigurationError) {
        guard requestsPerSecond > 0, requestsPerSecond.isFinite, burst >= 1 else {
            throw ConfigurationError("a rate limit needs a positive rate and room for at least 1 request")
        }
        if enforcement == .fixedWindow, window <= .zero { throw ConfigurationError("a rate limit's window must be positive") }
    }
}

/// A configuration value that cannot work.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }

    static func requireRatio(_ value: Double, _ name: String) throws(ConfigurationError) {
        guard (0...1).contains(value) else { throw ConfigurationError("\(name) must be between 0 and 1, not \(value)") }
    }
}
