import Synchronization

/// A clock that moves only when told to, for tests that must not sleep.
///
/// Sleepers park until ``advance(to:)`` or ``advance(by:)`` passes their deadline. A test that needs the system to
/// be parked before it moves time awaits ``waitForSleepers(where:)``, for example until a retry has been scheduled
/// at the instant the test expects.
public final class ManualClock: Clock, Sendable {
    /// A point in time: the time since the clock was created.
    public typealias Instant = OffsetInstant<ManualClock>

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct Observer {
        var predicate: @Sendable ([Instant]) -> Bool
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var nextID: UInt64 = 0
        var sleepers: [UInt64: Sleeper] = [:]
        var observers: [UInt64: Observer] = [:]

        var deadlines: [Instant] { sleepers.values.map(\.deadline).sorted() }

        /// Removes and returns the observers whose predicate now holds.
        mutating func satisfiedObservers() -> [CheckedContinuation<Void, Never>] {
            let deadlines = self.deadlines
            let ready = observers.filter { $0.value.predicate(deadlines) }
            for id in ready.keys { observers[id] = nil }
            return ready.values.map(\.continuation)
        }
    }

    private let state = Mutex(State())

    public init() {}

    public var now: Instant { state.withLock { $0.now } }

    public var minimumResolution: Duration { .zero }

    /// The deadlines of every parked sleeper, earliest first.
    public var pendingDeadlines: [Instant] { state.withLock { $0.deadlines } }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Registration { case parked([CheckedContinuation<Void, Never>]), due, cancelled }
                let registration = state.withLock { state -> Registration in
                    if Task.isCancelled { return .cancelled }
                    if deadline <= state.now { return .due }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return .parked(state.satisfiedObservers())
                }
                switch registration {
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .due: continuation.resume()
                case .parked(let observers): observers.forEach { $0.resume() }
                }
            }
        } onCancel: {
            let (sleeper, observers) = state.withLock { state in
                (state.sleepers.removeValue(forKey: id), state.satisfiedObservers())
            }
            sleeper?.continuation.resume(throwing: CancellationError())
            observers.forEach { $0.resume() }
        }
    }

    /// Moves time forward by `duration` and wakes every sleeper whose deadline has passed, earliest first.
    public func advance(by duration: Duration) {
        advance(to: now.advanced(by: duration))
    }

    /// Moves time forward to `instant` (never backward) and wakes every sleeper whose deadline has passed, earliest first.
    public func advance(to instant: Instant) {
        let (woken, observers) = state.withLock { state in
            state.now = max(state.now, instant)
            let now = state.now
            let due = state.sleepers.filter { $0.value.deadline <= now }
            for id in due.keys { state.sleepers[id] = nil }
            let woken = due.values.sorted { $0.deadline < $1.deadline }.map(\.continuation)
            return (woken, state.satisfiedObservers())
        }
        woken.forEach { $0.resume() }
        observers.forEach { $0.resume() }
    }

    /// Waits until the deadlines of the parked sleepers satisfy `predicate`.
    ///
    /// The predicate is checked at once and again whenever a sleeper parks, wakes or is cancelled.
    public func waitForSleepers(where predicate: @escaping @Sendable ([Instant]) -> Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if predicate(state.deadlines) { return true }
                state.nextID += 1
                state.observers[state.nextID] = Observer(predicate: predicate, continuation: continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Waits until some sleeper is parked with exactly this deadline.
    public func waitForSleeper(at deadline: Instant) async {
        await waitForSleepers { $0.contains(deadline) }
    }
}
