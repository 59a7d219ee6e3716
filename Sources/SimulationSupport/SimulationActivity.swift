import Synchronization

/// The work pending on one simulation clock: for every ``DeadlineQueue``, the entries handed to its consumer and not
/// yet done, and its earliest deadline.
///
/// The simulation is *quiet* when no queue has work in hand or an entry already due: nothing will happen until time
/// moves. A test driving a ``ManualClock`` waits for quiet, then moves time to ``earliestDeadline``, and so steps
/// from one event to the next without sleeping and without racing the work in flight.
public final class SimulationActivity: Sendable {
    private struct QueueState {
        var outstanding = 0
        var earliest: SimulationClock.Instant?
    }

    private struct State {
        var nextID: UInt64 = 0
        var queues: [UInt64: QueueState] = [:]
    }

    private let state = Mutex(State())
    private let changes = ChangeWaiters<Int>()
    private let now: @Sendable () -> SimulationClock.Instant

    init(now: @escaping @Sendable () -> SimulationClock.Instant) {
        self.now = now
    }

    /// The earliest deadline of any queue, if any entry waits.
    public var earliestDeadline: SimulationClock.Instant? {
        state.withLock { $0.queues.values.compactMap(\.earliest).min() }
    }

    /// Whether no work is in hand and nothing is due.
    public var isQuiet: Bool {
        let now = self.now()
        return state.withLock { state in
            state.queues.values.allSatisfy { $0.outstanding == 0 && ($0.earliest.map { $0 > now } ?? true) }
        }
    }

    /// Returns once `predicate` holds, checked now and after every change of any queue.
    public func wait(until predicate: @escaping @Sendable () -> Bool) async {
        while !predicate(), !Task.isCancelled {
            await changes.wait(for: 0, unless: predicate)
        }
    }

    /// Returns once the simulation is quiet.
    public func waitUntilQuiet() async {
        while !isQuiet, !Task.isCancelled {
            await changes.wait(for: 0) { self.isQuiet }
        }
    }

    func register() -> UInt64 {
        state.withLock { state in
            state.nextID += 1
            state.queues[state.nextID] = QueueState()
            return state.nextID
        }
    }

    func update(_ id: UInt64, outstanding: Int, earliest: SimulationClock.Instant?) {
        state.withLock { $0.queues[id] = QueueState(outstanding: outstanding, earliest: earliest) }
        changes.notify(0)
    }

    func unregister(_ id: UInt64) {
        state.withLock { $0.queues[id] = nil }
        changes.notify(0)
    }
}
