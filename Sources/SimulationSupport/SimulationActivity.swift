import Synchronization

/// Everything in hand on one simulation clock: the ``WorkUnit``s running or carrying credit, and for every
/// ``DeadlineQueue`` its earliest deadline.
///
/// The simulation is *quiet* when no unit is busy: nothing will happen until time moves (a queue's consumer is a
/// unit of its own, busy from the moment an entry is due until it waits again). A virtual clock's stepper (``VirtualTimeStepper``) waits for quiet, then moves time straight to the
/// earliest deadline, and so steps from one event to the next without racing the work in flight.
///
/// Units are tracked only on a virtual clock; on a wall clock ``begin(_:)`` returns `nil` and nothing is counted.
public final class SimulationActivity: Sendable {
    struct UnitState {
        var label: String
        /// Parties working for the unit: its beginner, and anyone who joined.
        var holders = 1
        /// Holders waiting on the simulation.
        var parked = 0
        /// Stream bytes written and not yet handled by the reader.
        var credit = 0
        /// A stream whose reader is gone.
        var closed = false
        var isStream = false
        var exchange: ExchangePhase?

        var isBusy: Bool { holders - parked > 0 || credit > 0 }
        var isFinished: Bool { holders <= 0 && credit <= 0 && (!isStream || closed) }
    }

    /// Where an HTTP exchange's work is: see ``SimulationActivity/beginExchange(_:)``.
    struct ExchangePhase {
        var adopted = false
        var responded = false
        var abandoned = false
    }

    private struct QueueState {
        var earliest: SimulationClock.Instant?
    }

    private struct State {
        var nextID: UInt64 = 0
        var units: [UInt64: UnitState] = [:]
        var busyUnits = 0
        var queues: [UInt64: QueueState] = [:]
        var quietWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())
    private let now: @Sendable () -> SimulationClock.Instant
    /// Whether units are tracked: on a virtual clock only.
    public let isTracking: Bool

    init(tracking: Bool, now: @escaping @Sendable () -> SimulationClock.Instant) {
        self.isTracking = tracking
        self.now = now
    }

    // MARK: Units

    /// Begins a running unit of work, or returns `nil` on a wall clock.
    /// - Parameter label: What the work is, for the watchdog's report: evaluated only when tracking.
    public func begin(_ label: @autoclosure () -> String) -> WorkUnit? {
        guard isTracking else { return nil }
        return insert(UnitState(label: label()))
    }

    /// Begins the unit of an HTTP exchange, running from the moment the client sends the request.
    ///
    /// The client sends the unit's ``WorkUnit/token`` with the request; the server ``adopt(_:)``s it, so its handler's
    /// waits park the client's exchange (a held long-poll lets time move) and the handler's wake-ups keep it running.
    /// When the handler returns, the answer is in transit and the exchange still running until the client calls
    /// ``WorkUnit/received()``, or ``WorkUnit/abandon()`` when it gives up.
    public func beginExchange(_ label: @autoclosure () -> String) -> WorkUnit? {
        guard isTracking else { return nil }
        var unit = UnitState(label: label())
        unit.exchange = ExchangePhase()
        return insert(unit)
    }

    /// Begins a stream's unit, idle until a writer joins or credits bytes; it ends once its reader has
    /// ``WorkUnit/close()``d it and every writer has ended.
    public func beginStream(_ label: @autoclosure () -> String) -> WorkUnit? {
        guard isTracking else { return nil }
        var unit = UnitState(label: label())
        unit.holders = 0
        unit.isStream = true
        return insert(unit)
    }

    /// The unit a request's header names, if it is still in hand here; marks an exchange as taken over by its server.
    public func unit(token: String?) -> WorkUnit? {
        guard isTracking, let token, let id = UInt64(token) else { return nil }
        let found = state.withLock { state -> Bool in
            guard state.units[id] != nil else { return false }
            state.units[id]?.exchange?.adopted = true
            return true
        }
        return found ? WorkUnit(id: id, activity: self) : nil
    }

    private func insert(_ unit: UnitState) -> WorkUnit {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            state.units[state.nextID] = unit
            if unit.isBusy { state.busyUnits += 1 }
            return state.nextID
        }
        return WorkUnit(id: id, activity: self)
    }

    func label(of unit: WorkUnit) -> String {
        state.withLock { $0.units[unit.id]?.label ?? "finished unit \(unit.id)" }
    }

    /// Applies `update` to a unit's state, keeping the count of busy units, and wakes the quiet waiters if that made
    /// the simulation quiet.
    func change(_ unit: WorkUnit, _ update: (inout UnitState) -> Void) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard var current = state.units[unit.id] else { return [] }
            let wasBusy = current.isBusy
            update(&current)
            let isBusy = current.isBusy
            if current.isFinished { state.units[unit.id] = nil } else { state.units[unit.id] = current }
            if wasBusy != isBusy { state.busyUnits += isBusy ? 1 : -1 }
            return takeQuietWaiters(&state)
        }
        waiters.forEach { $0.resume() }
    }

    // MARK: Deadline queues

    func registerQueue() -> UInt64 {
        state.withLock { state in
            state.nextID += 1
            state.queues[state.nextID] = QueueState()
            return state.nextID
        }
    }

    func updateQueue(_ id: UInt64, earliest: SimulationClock.Instant?) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.queues[id] = QueueState(earliest: earliest)
            return takeQuietWaiters(&state)
        }
        waiters.forEach { $0.resume() }
    }

    func unregisterQueue(_ id: UInt64) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.queues[id] = nil
            return takeQuietWaiters(&state)
        }
        waiters.forEach { $0.resume() }
    }

    // MARK: Quiet

    /// The earliest deadline of any queue, if any entry waits.
    public var earliestDeadline: SimulationClock.Instant? {
        state.withLock { $0.queues.values.compactMap(\.earliest).min() }
    }

    /// Whether no unit is busy.
    public var isQuiet: Bool {
        state.withLock { isQuiet($0) }
    }

    /// Units running or carrying credit.
    public var busyUnitCount: Int { state.withLock { $0.busyUnits } }

    private func isQuiet(_ state: State) -> Bool {
        state.busyUnits == 0
    }

    private func takeQuietWaiters(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        guard !state.quietWaiters.isEmpty, isQuiet(state) else { return [] }
        defer { state.quietWaiters.removeAll() }
        return Array(state.quietWaiters.values)
    }

    /// Returns once the simulation is quiet (at once if it is), or when the task is cancelled.
    public func waitUntilQuiet() async {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if isQuiet(state) || Task.isCancelled { return true }
                    state.quietWaiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.quietWaiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// The work in hand, for a report of why the simulation is not quiet: every busy unit's label, with how many of
    /// its holders run and the stream bytes it carries, then every deadline-queue entry already due.
    public var workInHand: [String] {
        state.withLock { state in
            let now = self.now()
            let units = state.units.sorted { $0.key < $1.key }.filter { $0.value.isBusy }.map { _, unit in
                var text = unit.label
                if unit.holders - unit.parked > 1 { text += " (\(unit.holders - unit.parked) running)" }
                if unit.credit > 0 { text += " (\(unit.credit) stream bytes unread)" }
                if let exchange = unit.exchange {
                    text += exchange.responded ? " [answer in transit]" : exchange.adopted ? " [at the server]" : " [request in transit]"
                }
                return text
            }
            let due = state.queues.values.compactMap(\.earliest).filter { $0 <= now }
            return units + due.map { "a deadline-queue entry due at \($0)" }
        }
    }
}

extension WorkUnit {
    /// The server has handed back its answer to this exchange: in transit to the client, or dropped if the client
    /// already gave up.
    public func responded() {
        activity.change(self) { state in
            guard state.exchange != nil else { return }
            if state.exchange?.abandoned == true { state.holders -= 1 } else { state.exchange?.responded = true }
        }
    }

    /// The client has the answer: the exchange is done.
    public func received() {
        activity.change(self) { $0.holders -= 1 }
    }

    /// The client gave up on the exchange (a failure, a timeout, a cancellation). If its server still works on it,
    /// the exchange ends when that work hands back its answer.
    public func abandon() {
        activity.change(self) { state in
            if let exchange = state.exchange, exchange.adopted, !exchange.responded {
                state.exchange?.abandoned = true
            } else {
                state.holders -= 1
            }
        }
    }
}
