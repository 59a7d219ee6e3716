/// The clock of a simulation: it reads and waits in *model time*.
///
/// Every wait in the system (a review's delay, a retry schedule, a poll interval, a long-poll timeout) is written
/// in model seconds. A `SimulationClock` turns model time into the time of a base clock through one time scale:
/// with `timeScale` 0.01 a 2-5 s review takes 20-50 ms of the base clock. The base clock is a `ContinuousClock`
/// in benchmarks and standalone servers, and a ``ManualClock`` in tests, which then move time themselves.
///
/// The scale is applied in this one place, so both sides of the simulation stay in step when they share it.
public struct SimulationClock: Clock, Sendable {
    /// A point in model time: the model duration since the clock was created.
    public typealias Instant = OffsetInstant<SimulationClock>

    /// Base-clock duration per model duration: 1 runs in real time, 0.01 runs a hundred times faster.
    public let timeScale: Double
    private let baseElapsed: @Sendable () -> Duration
    private let baseSleep: @Sendable (Duration) async throws -> Void
    /// The work pending on this clock's deadline queues (see ``SimulationActivity``).
    public let activity: SimulationActivity

    /// Creates a model-time clock over a base clock.
    /// - Parameters:
    ///   - base: The clock that really passes: `ContinuousClock()` or a ``ManualClock``.
    ///   - timeScale: Base-clock seconds per model second; must be positive and finite.
    public init<Base: Clock<Duration>>(base: Base, timeScale: Double = 1) {
        precondition(timeScale > 0 && timeScale.isFinite, "time scale must be positive and finite")
        let start = base.now
        let baseElapsed: @Sendable () -> Duration = { start.duration(to: base.now) }
        self.timeScale = timeScale
        self.baseElapsed = baseElapsed
        self.activity = SimulationActivity(now: {
            Instant(offset: timeScale == 1 ? baseElapsed() : baseElapsed() / timeScale)
        })
        self.baseSleep = { baseOffset in
            try await base.sleep(until: start.advanced(by: baseOffset), tolerance: nil)
        }
    }

    public var now: Instant {
        Instant(offset: modelDuration(fromBase: baseElapsed()))
    }

    public var minimumResolution: Duration { .nanoseconds(1) }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try await baseSleep(baseDuration(fromModel: deadline.offset))
    }

    /// The base-clock duration that a model duration takes.
    public func baseDuration(fromModel model: Duration) -> Duration {
        timeScale == 1 ? model : model * timeScale
    }

    /// The model duration that a base-clock duration stands for.
    public func modelDuration(fromBase base: Duration) -> Duration {
        timeScale == 1 ? base : base / timeScale
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    public var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }

    /// The duration in milliseconds as a floating-point number.
    public var millisecondsValue: Double { secondsValue * 1_000 }

    /// The duration in whole nanoseconds, truncated.
    public var nanosecondsValue: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
