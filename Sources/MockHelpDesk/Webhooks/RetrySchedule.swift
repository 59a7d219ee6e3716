/// When the dispatcher tries a webhook again after a failure: Svix's schedule, in model time.
///
/// | attempt | delay after the previous failure |
/// |---------|----------------------------------|
/// | 1       | 0 (on decision)                  |
/// | 2       | 5 s                              |
/// | 3       | 5 min                            |
/// | 4       | 30 min                           |
/// | 5       | 2 h                              |
/// | 6       | 5 h                              |
/// | 7       | 10 h                             |
/// | 8       | 10 h                             |
///
/// After the last attempt fails, the message is dead-lettered.
public struct RetrySchedule: Sendable, Equatable {
    /// The delay before each attempt; `delays[0]` is the first send's.
    public var delays: [Duration]

    public init(delays: [Duration]) {
        self.delays = delays
    }

    public static let standard = RetrySchedule(delays: [
        .zero, .seconds(5), .seconds(5 * 60), .seconds(30 * 60),
        .seconds(2 * 3600), .seconds(5 * 3600), .seconds(10 * 3600), .seconds(10 * 3600),
    ])

    /// Attempts before a message is dead-lettered.
    public var maxAttempts: Int { delays.count }

    /// The longest delay in the schedule; also the cap on a receiver's `Retry-After`.
    public var longestDelay: Duration { delays.max() ?? .zero }

    /// The delay before attempt `number` (1-based), moved by jitter.
    /// - Parameters:
    ///   - number: The attempt about to be made.
    ///   - jitter: The largest relative change, for example 0.1 for ±10%.
    ///   - unit: A uniform draw in `[0, 1)`; 0.5 leaves the delay as scheduled.
    /// - Returns: The delay, or `nil` when the schedule has no such attempt.
    public func delay(beforeAttempt number: Int, jitter: Double, unit: Double) -> Duration? {
        guard number >= 1, number <= delays.count else { return nil }
        return delays[number - 1] * (1 + jitter * (2 * unit - 1))
    }
}
