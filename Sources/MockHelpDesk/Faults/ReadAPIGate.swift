import HTTPTypes
import SimulationSupport
import Synchronization

/// The gate of the read API (status, events, stream): its rate limit, the count of status requests fault injection
/// draws on, and the busiest windows of traffic the Help Desk saw.
final class ReadAPIGate: Sendable {
    private struct State {
        var limiter: RateLimiter?
        var feedLimiter: RateLimiter?
        var statusRequests: UInt64 = 0
        var readsPerMinute: PeakCounter
        var attemptsPerSecond: PeakCounter
        var attemptsPerMinute = PeakCounter(period: .seconds(60))
    }

    private let state: Mutex<State>
    private let start: SimulationClock.Instant

    init(rateLimit: RateLimit?, feedRateLimit: RateLimit? = nil, now: SimulationClock.Instant) {
        start = now
        state = Mutex(State(
            limiter: rateLimit.map { RateLimiter(limit: $0, now: now) },
            feedLimiter: feedRateLimit.map { RateLimiter(limit: $0, now: now) },
            readsPerMinute: PeakCounter(period: .seconds(60)),
            attemptsPerSecond: PeakCounter(period: .seconds(1))
        ))
    }

    /// Counts a read request and takes its place under the limit (and first under the feed's own, for the feed).
    /// - Returns: The deciding limit's decision: the feed's when it refuses, else the read limit's; `nil` without one.
    func admit(at now: SimulationClock.Instant, feed: Bool = false) -> RateDecision? {
        let elapsed = start.duration(to: now)
        return state.withLock { state in
            state.readsPerMinute.count(at: elapsed)
            if feed, let decision = state.feedLimiter?.take(at: now) {
                guard decision.admitted else { return decision }
                return state.limiter?.take(at: now) ?? decision
            }
            return state.limiter?.take(at: now)
        }
    }

    /// Counts a webhook attempt starting, using up a place of the limit when `countsAgainstLimit`.
    func attemptStarted(at now: SimulationClock.Instant, countsAgainstLimit: Bool) {
        let elapsed = start.duration(to: now)
        state.withLock { state in
            state.attemptsPerSecond.count(at: elapsed)
            state.attemptsPerMinute.count(at: elapsed)
            if countsAgainstLimit { state.limiter?.consume(at: now) }
        }
    }

    /// The ordinal of the next status request (0-based).
    func nextStatusRequest() -> UInt64 {
        state.withLock { state in
            defer { state.statusRequests += 1 }
            return state.statusRequests
        }
    }

    /// The most read requests in one model minute, and webhook attempts begun in one model second and in one model
    /// minute, so far (windows counted from the Help Desk's start).
    var peaks: (readsPerMinute: Int, attemptsPerSecond: Int, attemptsPerMinute: Int) {
        state.withLock { ($0.readsPerMinute.peak, $0.attemptsPerSecond.peak, $0.attemptsPerMinute.peak) }
    }
}

/// The most events in one window of a fixed length, windows counted from a start, for events in time order.
struct PeakCounter: Sendable {
    let period: Int64
    private var window: Int64 = -1
    private var current = 0
    private(set) var peak = 0

    init(period: Duration) {
        self.period = period.nanosecondsValue
    }

    mutating func count(at elapsed: Duration) {
        let index = elapsed.nanosecondsValue / period
        if index != window {
            window = index
            current = 0
        }
        current += 1
        peak = max(peak, current)
    }
}

extension RateDecision {
    /// `X-RateLimit-Limit`, `-Remaining` and `-Reset` (whole seconds until the limit is whole again, rounded up).
    var headers: HTTPFields {
        [
            .rateLimitLimit: String(limit),
            .rateLimitRemaining: String(max(0, remaining)),
            .rateLimitReset: String(Int(reset.secondsValue.rounded(.up))),
        ]
    }
}

extension HTTPField.Name {
    static let rateLimitLimit = HTTPField.Name("X-RateLimit-Limit")!
    static let rateLimitRemaining = HTTPField.Name("X-RateLimit-Remaining")!
    static let rateLimitReset = HTTPField.Name("X-RateLimit-Reset")!
}

extension HTTPFields {
    /// These fields followed by `other`'s (no copy when `other` is empty, as on every route without a rate limit).
    func adding(_ other: HTTPFields) -> HTTPFields {
        guard !other.isEmpty else { return self }
        var fields = self
        fields.append(contentsOf: other)
        return fields
    }
}
