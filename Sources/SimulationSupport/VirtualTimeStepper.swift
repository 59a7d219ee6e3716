import Synchronization

/// Moves a virtual ``SimulationClock`` from one deadline to the next, each time the simulation is quiet: no
/// ``WorkUnit`` busy (see ``SimulationActivity``). Model time then jumps straight to the earliest sleeper or timer,
/// whatever the machine's speed, and wakes that one alone: what is due at one instant is handled one wake-up at a
/// time, each after the last one's work is done, in the order the wake-ups were registered, so that no two requests
/// race and the run depends on its seed alone.
///
/// ``drive(label:_:)`` runs a body (a benchmark run) as a unit of its own while stepping, and stops stepping when it
/// returns. Two things end a drive early, each reported as a ``VirtualTimeStall`` and never as a finished run: the
/// simulation staying busy for longer than the watchdog's wall time (work that never finishes, named in the report),
/// and a quiet simulation with nothing scheduled while the body still waits (nothing can ever happen again).
public final class VirtualTimeStepper: Sendable {
    /// What the stepper did.
    public struct Statistics: Sendable, Hashable {
        /// Instants time moved to.
        public var steps = 0
        /// Sleepers woken and timers run: the model's events.
        public var events = 0
        /// Wall time spent driving.
        public var wall: Duration = .zero
        /// Model time driven.
        public var model: Duration = .zero

        public init() {}

        /// Model events per wall second.
        public var eventsPerWallSecond: Double { wall > .zero ? Double(events) / wall.secondsValue : 0 }

        /// Wall seconds per day of model time.
        public var wallSecondsPerModelDay: Double { model > .zero ? wall.secondsValue / model.secondsValue * 86_400 : 0 }
    }

    private struct State {
        var statistics = Statistics()
        var stall: VirtualTimeStall?
        /// Wall instant since which the stepper has waited for quiet, while it waits.
        var waitingSince: ContinuousClock.Instant?
        /// Wall instant since which time stands still (``freeze()``).
        var frozenSince: ContinuousClock.Instant?
    }

    public let clock: SimulationClock
    private let manual: ManualClock
    /// Wall time the simulation may stay busy before the drive is stopped.
    public let watchdog: Duration
    private let state = Mutex(State())

    /// - Parameters:
    ///   - clock: A virtual clock (``SimulationClock/virtual()``).
    ///   - watchdog: Wall time the simulation may stay busy without becoming quiet.
    public init(clock: SimulationClock, watchdog: Duration = .seconds(30)) {
        guard let manual = clock.virtualBase else { preconditionFailure("a stepper needs a virtual clock") }
        // What is due at one instant is handled one wake-up at a time, in an order that depends on the run alone.
        manual.defersDueTimers = true
        self.clock = clock
        self.manual = manual
        self.watchdog = watchdog
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Why the last drive stopped early, if it did.
    public var stall: VirtualTimeStall? { state.withLock { $0.stall } }

    /// Stops moving time for the rest of the drive: a run that has measured what it came for shuts down at the
    /// instant it ended, so nothing (a periodic read, a retry) happens during the shutdown to change a figure. A
    /// shutdown that still waits on the model after the watchdog's wall time is reported as a stall.
    public func freeze() {
        state.withLock { $0.frozenSince = $0.frozenSince ?? .now }
    }

    /// Runs `body` as a work unit while moving time, and returns its result once it returns.
    ///
    /// When the drive stalls (see ``VirtualTimeStall``), `body` is cancelled and, if it then returns within
    /// `cancellationGrace` of wall time, its (partial) result is returned and ``stall`` says why; if it does not, the
    /// stall is thrown and the body left behind, so a run that cannot finish never hangs.
    public func drive<Result: Sendable>(
        label: String = "the run",
        cancellationGrace: Duration = .seconds(30),
        _ body: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        let unit = clock.activity.begin(label)
        let wallStart = ContinuousClock.now
        let modelStart = clock.now
        defer {
            let (wall, model) = (wallStart.duration(to: .now), modelStart.duration(to: clock.now))
            state.withLock { state in
                state.statistics.wall += wall
                state.statistics.model += model
            }
        }
        let done = LockedValue(false)
        let doneChanges = ChangeWaiters<Int>()
        let task = Task {
            try await unit.run {
                // Done before the unit lets go: the quiet that follows is the end of the run, not a stall.
                defer {
                    done.withLock { $0 = true }
                    doneChanges.notify(0)
                }
                return try await body()
            }
        }
        let untilDone = { @Sendable in await doneChanges.wait(for: 0) { done.value } }
        // Until the body returns, or stepping stops (a stall).
        await Self.first(untilDone, { await self.step { done.value } }, { await self.watch() })
        if let stall {
            task.cancel()
            await Self.first(untilDone, { try? await Task.sleep(for: cancellationGrace) })
            guard done.value else { throw stall }
        }
        return try await task.value
    }

    /// Runs the operations together until the first returns, then cancels the others and waits for them.
    private static func first(_ operations: (@Sendable () async -> Void)...) async {
        await withTaskGroup(of: Void.self) { group in
            for operation in operations { group.addTask { await operation() } }
            await group.next()
            group.cancelAll()
        }
    }

    /// - Parameter finished: Whether the body has returned: a quiet with nothing scheduled is then no stall.
    private func step(finished: @Sendable () -> Bool) async {
        while !Task.isCancelled {
            state.withLock { $0.waitingSince = .now }
            await clock.activity.waitUntilQuiet()
            state.withLock { $0.waitingSince = nil }
            guard !Task.isCancelled, state.withLock({ $0.frozenSince == nil }) else { return }
            // A queue's deadline counts when it is ahead: one already due has a consumer that takes it itself.
            let queued = clock.activity.earliestDeadline.map(clock.baseInstant).flatMap { $0 > manual.now ? $0 : nil }
            let timer = manual.nextDeadline
            guard let next = [timer, queued].compactMap({ $0 }).min() else {
                if !finished() {
                    state.withLock { $0.stall = $0.stall ?? VirtualTimeStall(reason: .nothingScheduled, at: clock.now, workInHand: []) }
                }
                return
            }
            // One sleeper or timer at a time; a queue's entry with no consumer asleep for it only moves time.
            let events = next == timer ? (manual.fireNext() ? 1 : 0) : manual.advance(to: next)
            state.withLock { state in
                state.statistics.steps += 1
                state.statistics.events += events
            }
        }
    }

    /// Stops the drive when the stepper has waited for quiet longer than the watchdog allows.
    private func watch() async {
        let period = min(watchdog / 4, .seconds(1))
        while !Task.isCancelled {
            try? await Task.sleep(for: period)
            if let frozen = state.withLock({ $0.frozenSince }), frozen.duration(to: .now) > watchdog {
                let work = clock.activity.workInHand
                state.withLock { $0.stall = $0.stall ?? VirtualTimeStall(reason: .stoppingTooLong(watchdog), at: clock.now, workInHand: work) }
                return
            }
            let waited = state.withLock { $0.waitingSince.map { $0.duration(to: .now) } }
            guard let waited, waited > watchdog else { continue }
            let work = clock.activity.workInHand
            guard !clock.activity.isQuiet else { continue }
            state.withLock { $0.stall = $0.stall ?? VirtualTimeStall(reason: .busyTooLong(watchdog), at: clock.now, workInHand: work) }
            return
        }
    }
}

/// Why a virtual-time drive stopped before its body finished.
public struct VirtualTimeStall: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// The simulation stayed busy for this long of wall time.
        case busyTooLong(Duration)
        /// Quiet, with no deadline anywhere, while the run still waited for something.
        case nothingScheduled
        /// The run, its time frozen at its end, did not finish stopping within this long of wall time.
        case stoppingTooLong(Duration)
    }

    public var reason: Reason
    /// Model time when it stopped.
    public var at: SimulationClock.Instant
    /// The work still in hand (``SimulationActivity/workInHand``).
    public var workInHand: [String]

    public var description: String {
        switch reason {
        case .busyTooLong(let limit):
            let shown = workInHand.prefix(12).joined(separator: "; ")
            let more = workInHand.count > 12 ? " and \(workInHand.count - 12) more" : ""
            return "virtual time stalled at \(at): the simulation stayed busy for \(limit) of wall time with work in hand: \(shown)\(more)"
        case .nothingScheduled:
            return "virtual time stalled at \(at): nothing is in hand and nothing is scheduled, so nothing can happen again"
        case .stoppingTooLong(let limit):
            let shown = workInHand.prefix(12).joined(separator: "; ")
            return "the run ended at \(at) but did not stop within \(limit) of wall time; work in hand: \(shown.isEmpty ? "none (a wait on the model)" : shown)"
        }
    }
}
