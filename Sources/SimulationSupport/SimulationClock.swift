/// The clock of a simulation: it reads and waits in *model time*.
///
/// Every wait in the system (a review's delay, a retry schedule, a poll interval, a long-poll timeout) is written
/// in model seconds. A `SimulationClock` runs in one of two ways:
/// - **wall**: model time follows a base clock through one time scale: with `timeScale` 0.01 a 2-5 s review takes
///   20-50 ms of a `ContinuousClock`. The scale is applied in this one place, so both sides of the simulation stay
///   in step when they share it.
/// - **virtual**: the base is a ``ManualClock`` at scale 1 (``virtual()``), which moves only when a
///   ``VirtualTimeStepper`` (or a test) moves it, once everything in hand is done (see ``SimulationActivity``); model
///   time then owes nothing to the machine's speed.
public struct SimulationClock: Clock, Sendable {
    /// A point in model time: the model duration since the clock was created.
    public typealias Instant = OffsetInstant<SimulationClock>

    /// Base-clock duration per model duration: 1 runs in real time, 0.01 runs a hundred times faster.
    public let timeScale: Double
    private let baseElapsed: @Sendable () -> Duration
    private let baseSleep: @Sendable (Duration) async throws -> Void
    /// The manual clock under a virtual clock, and its reading when this clock started.
    let virtualBase: ManualClock?
    private let virtualStart: Duration
    /// The work in hand on this clock (see ``SimulationActivity``); tracked on a virtual clock only.
    public let activity: SimulationActivity

    /// Creates a model-time clock over a base clock: virtual when the base is a ``ManualClock`` at scale 1.
    /// - Parameters:
    ///   - base: The clock that really passes: `ContinuousClock()` or a ``ManualClock``.
    ///   - timeScale: Base-clock seconds per model second; must be positive and finite.
    public init<Base: Clock<Duration>>(base: Base, timeScale: Double = 1) {
        precondition(timeScale > 0 && timeScale.isFinite, "time scale must be positive and finite")
        let start = base.now
        let baseElapsed: @Sendable () -> Duration = { start.duration(to: base.now) }
        let manual = timeScale == 1 ? base as? ManualClock : nil
        self.timeScale = timeScale
        self.baseElapsed = baseElapsed
        self.virtualBase = manual
        self.virtualStart = manual?.now.offset ?? .zero
        self.activity = SimulationActivity(tracking: manual != nil) {
            Instant(offset: timeScale == 1 ? baseElapsed() : baseElapsed() / timeScale)
        }
        self.baseSleep = { baseOffset in
            try await base.sleep(until: start.advanced(by: baseOffset), tolerance: nil)
        }
    }

    /// A virtual clock over a new manual clock, which a ``VirtualTimeStepper`` moves.
    public static func virtual() -> SimulationClock {
        SimulationClock(base: ManualClock())
    }

    /// Whether model time moves only when the simulation is quiet.
    public var isVirtual: Bool { virtualBase != nil }

    /// The manual clock a virtual clock runs on, for tests that move it themselves; `nil` on a wall clock.
    public var manualBase: ManualClock? { virtualBase }

    /// The manual clock's instant of a model instant (virtual clocks only).
    func baseInstant(_ instant: Instant) -> ManualClock.Instant {
        ManualClock.Instant(offset: virtualStart + instant.offset)
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
