import HeapModule
import Synchronization

/// A clock that moves only when told to: the base of a virtual-time simulation, and of tests that must not sleep.
///
/// Sleepers park until ``advance(to:)`` or ``advance(by:)`` passes their deadline; timers (``schedule(at:_:)``) run
/// their action then. A sleeping task that works for a ``WorkUnit`` parks it, and the advance unparks it before the
/// task runs again, so a ``VirtualTimeStepper`` never mistakes a woken task for an idle one. A test that needs the
/// system parked before it moves time awaits ``waitForSleepers(where:)``.
public final class ManualClock: Clock, Sendable {
    /// A point in time: the time since the clock was created.
    public typealias Instant = OffsetInstant<ManualClock>

    private enum Wake {
        case sleeper(CheckedContinuation<Void, any Error>, Parking?)
        case timer(@Sendable () -> Void)
    }

    private struct Pending {
        var deadline: Instant
        var wake: Wake
    }

    private struct Key: Comparable {
        var deadline: Instant
        var id: UInt64

        static func < (lhs: Key, rhs: Key) -> Bool { (lhs.deadline, lhs.id) < (rhs.deadline, rhs.id) }
    }

    private struct Observer {
        var predicate: @Sendable ([Instant]) -> Bool
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var nextID: UInt64 = 0
        /// Every deadline, cancelled ones included until they reach the top.
        var heap = Heap<Key>()
        var pending: [UInt64: Pending] = [:]
        var observers: [UInt64: Observer] = [:]

        var deadlines: [Instant] { pending.values.map(\.deadline).sorted() }

        mutating func earliest() -> Instant? {
            while let top = heap.min, pending[top.id] == nil { heap.removeMin() }
            return heap.min?.deadline
        }

        mutating func add(_ deadline: Instant, _ wake: Wake) -> UInt64 {
            nextID += 1
            pending[nextID] = Pending(deadline: deadline, wake: wake)
            heap.insert(Key(deadline: deadline, id: nextID))
            return nextID
        }

        /// Removes and returns the observers whose predicate now holds.
        mutating func satisfiedObservers() -> [CheckedContinuation<Void, Never>] {
            guard !observers.isEmpty else { return [] }
            let deadlines = self.deadlines
            let ready = observers.filter { $0.value.predicate(deadlines) }
            for id in ready.keys { observers[id] = nil }
            return ready.values.map(\.continuation)
        }
    }

    private let state = Mutex(State())
    private let defersDue = Atomic<Bool>(false)

    public init() {}

    /// Whether a timer scheduled for an instant that has come waits for the next step (``fireNext()``) instead of
    /// running at once: how a task yields to a stepper that serialises what is due at one instant. Off by default.
    public var defersDueTimers: Bool {
        get { defersDue.load(ordering: .relaxed) }
        set { defersDue.store(newValue, ordering: .relaxed) }
    }

    public var now: Instant { state.withLock { $0.now } }

    public var minimumResolution: Duration { .zero }

    /// The deadlines of every parked sleeper and pending timer, earliest first.
    public var pendingDeadlines: [Instant] { state.withLock { $0.deadlines } }

    /// The earliest deadline of any sleeper or timer.
    public var nextDeadline: Instant? { state.withLock { $0.earliest() } }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        let unit = WorkUnit.current
        let id = Mutex<UInt64?>(nil)
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Registration { case parked(Parking?, [CheckedContinuation<Void, Never>]), due, cancelled }
                let registration = state.withLock { state -> Registration in
                    if Task.isCancelled { return .cancelled }
                    if deadline <= state.now { return .due }
                    let parking = unit?.prepareParking()
                    id.withLock { $0 = state.add(deadline, .sleeper(continuation, parking)) }
                    return .parked(parking, state.satisfiedObservers())
                }
                switch registration {
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .due: continuation.resume()
                case .parked(let parking, let observers):
                    parking?.begin()
                    observers.forEach { $0.resume() }
                }
            }
        } onCancel: {
            let (removed, observers) = state.withLock { state -> (Pending?, [CheckedContinuation<Void, Never>]) in
                guard let key = id.withLock({ $0 }), let removed = state.pending.removeValue(forKey: key) else { return (nil, []) }
                return (removed, state.satisfiedObservers())
            }
            if case .sleeper(let continuation, let parking) = removed?.wake {
                parking?.end()
                continuation.resume(throwing: CancellationError())
            }
            observers.forEach { $0.resume() }
        }
    }

    /// Runs `action` once time reaches `deadline` (at once, on the caller, if it already has).
    /// - Returns: The timer, for ``cancelTimer(_:)``.
    @discardableResult
    public func schedule(at deadline: Instant, _ action: @escaping @Sendable () -> Void) -> UInt64? {
        let defers = defersDueTimers
        let result = state.withLock { state -> (UInt64?, [CheckedContinuation<Void, Never>]) in
            if deadline <= state.now, !defers { return (nil, []) }
            return (state.add(max(deadline, state.now), .timer(action)), state.satisfiedObservers())
        }
        result.1.forEach { $0.resume() }
        guard let id = result.0 else {
            action()
            return nil
        }
        return id
    }

    /// Cancels a timer that has not run yet.
    public func cancelTimer(_ id: UInt64?) {
        guard let id else { return }
        let observers = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.pending.removeValue(forKey: id) != nil else { return [] }
            return state.satisfiedObservers()
        }
        observers.forEach { $0.resume() }
    }

    /// Moves time forward by `duration` and wakes every sleeper whose deadline has passed, earliest first.
    public func advance(by duration: Duration) {
        advance(to: now.advanced(by: duration))
    }

    /// Moves time forward to `instant` (never backward), then wakes every sleeper and runs every timer whose deadline
    /// has passed, earliest first. Every woken sleeper's unit is unparked before any of them runs.
    /// - Returns: How many sleepers and timers were due.
    @discardableResult
    public func advance(to instant: Instant) -> Int {
        let (due, observers) = state.withLock { state -> ([Wake], [CheckedContinuation<Void, Never>]) in
            state.now = max(state.now, instant)
            var due: [Wake] = []
            while let top = state.heap.min, top.deadline <= state.now {
                state.heap.removeMin()
                if let entry = state.pending.removeValue(forKey: top.id) { due.append(entry.wake) }
            }
            return (due, due.isEmpty ? [] : state.satisfiedObservers())
        }
        for wake in due {
            if case .sleeper(_, let parking) = wake { parking?.end() }
        }
        for wake in due {
            switch wake {
            case .sleeper(let continuation, _): continuation.resume()
            case .timer(let action): action()
            }
        }
        observers.forEach { $0.resume() }
        return due.count
    }

    /// Moves time to the earliest deadline, if it is later, and wakes that one sleeper or runs that one timer (the
    /// first registered, of several at one instant): a stepper that fires one at a time, waiting for quiet between
    /// them, handles what is due at one instant in an order that depends on the run alone.
    /// - Returns: Whether anything was due.
    @discardableResult
    public func fireNext() -> Bool {
        let (due, observers) = state.withLock { state -> (Wake?, [CheckedContinuation<Void, Never>]) in
            guard let deadline = state.earliest(), let top = state.heap.popMin() else { return (nil, []) }
            state.now = max(state.now, deadline)
            let entry = state.pending.removeValue(forKey: top.id)
            return (entry?.wake, state.satisfiedObservers())
        }
        switch due {
        case .sleeper(let continuation, let parking):
            parking?.end()
            continuation.resume()
        case .timer(let action):
            action()
        case nil:
            break
        }
        observers.forEach { $0.resume() }
        return due != nil
    }

    /// Waits until the deadlines of the parked sleepers and pending timers satisfy `predicate`.
    ///
    /// The predicate is checked at once and again whenever a deadline is added, reached or cancelled.
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

    /// Waits until some sleeper or timer is pending with exactly this deadline.
    public func waitForSleeper(at deadline: Instant) async {
        await waitForSleepers { $0.contains(deadline) }
    }
}
