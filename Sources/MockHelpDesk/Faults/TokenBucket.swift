import SimulationSupport

/// A token bucket on model time: `burst` requests at once, one more every `1 / requestsPerSecond` seconds.
struct TokenBucket: Sendable {
    let limit: RateLimit
    private var tokens: Double
    private var updatedAt: SimulationClock.Instant

    init(limit: RateLimit, now: SimulationClock.Instant) {
        self.limit = limit
        self.tokens = Double(limit.burst)
        self.updatedAt = now
    }

    /// Takes a token if one is left.
    /// - Returns: `nil` when the request may proceed, else how long until a token is available.
    mutating func take(at now: SimulationClock.Instant) -> Duration? {
        if now > updatedAt {
            tokens = min(Double(limit.burst), tokens + updatedAt.duration(to: now).secondsValue * limit.requestsPerSecond)
            updatedAt = now
        }
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return .seconds((1 - tokens) / limit.requestsPerSecond)
    }
}
