import Synchronization

/// Tasks parked until something identified by a key changes: a document's state, the end of an event feed.
///
/// The owner of the data changes it first and calls ``notify(_:)`` after. A waiter checks `alreadyChanged` and
/// registers in one step under the waiters' lock, so a change that lands between a reader's check and its wait is
/// never missed (`alreadyChanged` must not touch these waiters). A waiter
/// that works for a ``WorkUnit`` parks it, and ``notify(_:)`` unparks it before the waiter runs again: a decision
/// that wakes a held long-poll keeps the simulation busy until the long-poll's answer is handled.
public final class ChangeWaiters<Key: Hashable & Sendable>: Sendable {
    private struct Waiter {
        var continuation: CheckedContinuation<Void, Never>
        var parking: Parking?

        func resume() {
            parking?.end()
            continuation.resume()
        }
    }

    private struct State {
        var nextToken: UInt64 = 0
        var waiters: [Key: [UInt64: Waiter]] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// The number of parked waiters, over all keys.
    public var count: Int {
        state.withLock { $0.waiters.values.reduce(0) { $0 + $1.count } }
    }

    /// Wakes every waiter of `key`.
    public func notify(_ key: Key) {
        let woken = state.withLock { $0.waiters.removeValue(forKey: key) }
        guard let woken else { return }
        for waiter in woken.values { waiter.parking?.end() }
        for waiter in woken.values { waiter.continuation.resume() }
    }

    /// Parks until `key` is notified or the task is cancelled; returns at once if `alreadyChanged()` holds.
    public func wait(for key: Key, unless alreadyChanged: @Sendable () -> Bool) async {
        await park(newToken(), for: key, unless: alreadyChanged)
    }

    /// Parks until `key` is notified, `deadline` passes on `clock`, or the task is cancelled; returns at once if
    /// `alreadyChanged()` holds.
    /// - Returns: `false` when the deadline passed first.
    public func wait(
        for key: Key,
        until deadline: SimulationClock.Instant,
        on clock: SimulationClock,
        unless alreadyChanged: @escaping @Sendable () -> Bool
    ) async -> Bool {
        guard let manual = clock.virtualBase else {
            return await clock.run(until: deadline) { await self.wait(for: key, unless: alreadyChanged) } != nil
        }
        let token = newToken()
        let expired = LockedValue(false)
        let timer = manual.schedule(at: clock.baseInstant(deadline)) { [self] in
            expired.withLock { $0 = true }
            remove(token, of: key)?.resume()
        }
        // The timer may have run before the waiter was registered (a deadline already reached).
        await park(token, for: key) { expired.value || alreadyChanged() }
        manual.cancelTimer(timer)
        return !expired.value
    }

    private func newToken() -> UInt64 {
        state.withLock { state in
            state.nextToken += 1
            return state.nextToken
        }
    }

    private func park(_ token: UInt64, for key: Key, unless alreadyChanged: @Sendable () -> Bool) async {
        let unit = WorkUnit.current
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                // Checked under the lock, so a unit is parked only by a wait that really waits: a unit parked and at
                // once unparked could let time move in between.
                let parking = unit?.prepareParking()
                let parked = state.withLock { state -> Bool in
                    if Task.isCancelled || alreadyChanged() { return false }
                    state.waiters[key, default: [:]][token] = Waiter(continuation: continuation, parking: parking)
                    return true
                }
                if parked { parking?.begin() } else { continuation.resume() }
            }
        } onCancel: {
            remove(token, of: key)?.resume()
        }
    }

    private func remove(_ token: UInt64, of key: Key) -> Waiter? {
        state.withLock { state in
            let waiter = state.waiters[key]?.removeValue(forKey: token)
            if state.waiters[key]?.isEmpty == true { state.waiters[key] = nil }
            return waiter
        }
    }
}
