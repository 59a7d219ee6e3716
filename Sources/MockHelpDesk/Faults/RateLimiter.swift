import SimulationSupport

/// What a rate limit made of one request: let through or refused, and what the `X-RateLimit-*` headers say.
struct RateDecision: Sendable, Equatable {
    /// Whether the request may proceed.
    var admitted: Bool
    /// The limit's size: requests per window, or the bucket's capacity.
    var limit: Int
    /// Requests left now (after this one, when admitted).
    var remaining: Int
    /// Until the limit is whole again: the window's end, or the bucket full.
    var reset: Duration
    /// When refused: how long until a request may pass.
    var retryAfter: Duration?
}

/// A ``RateLimit`` enforced on model time: a token bucket, or fixed windows counted from the Help Desk's start.
struct RateLimiter: Sendable {
    let limit: RateLimit
    private let start: SimulationClock.Instant
    private var tokens: Double
    private var updatedAt: SimulationClock.Instant
    /// The current window's index from the start, and requests admitted in it.
    private var window: Int64 = 0
    private var used = 0

    init(limit: RateLimit, now: SimulationClock.Instant) {
        self.limit = limit
        start = now
        tokens = Double(limit.burst)
        updatedAt = now
    }

    /// Takes one request's place if one is left.
    mutating func take(at now: SimulationClock.Instant) -> RateDecision {
        switch limit.enforcement {
        case .tokenBucket: takeToken(at: now)
        case .fixedWindow: takeWindowPlace(at: now)
        }
    }

    /// Takes a request's place without ever refusing it (a webhook the vendor counts against our limit): the place
    /// is used up, or the limit already was.
    mutating func consume(at now: SimulationClock.Instant) {
        _ = take(at: now)
    }

    private mutating func takeToken(at now: SimulationClock.Instant) -> RateDecision {
        let rate = limit.requestsPerSecond
        if now > updatedAt {
            tokens = min(Double(limit.burst), tokens + updatedAt.duration(to: now).secondsValue * rate)
            updatedAt = now
        }
        let admitted = tokens >= 1
        if admitted { tokens -= 1 }
        let untilFull = Duration.seconds((Double(limit.burst) - tokens) / rate)
        return RateDecision(
            admitted: admitted,
            limit: limit.burst,
            remaining: Int(tokens.rounded(.down)),
            reset: untilFull,
            retryAfter: admitted ? nil : .seconds((1 - tokens) / rate)
        )
    }

    private mutating func takeWindowPlace(at now: SimulationClock.Instant) -> RateDecision {
        let period = limit.window.nanosecondsValue
        let elapsed = start.duration(to: now).nanosecondsValue
        let index = elapsed / period
        if index != window {
            window = index
            used = 0
        }
        let admitted = used < limit.burst
        if admitted { used += 1 }
        let reset = Duration.nanoseconds((index + 1) * period - elapsed)
        return RateDecision(admitted: admitted, limit: limit.burst, remaining: limit.burst - used, reset: reset, retryAfter: admitted ? nil : reset)
    }
}
