import Synchronization

/// Tasks parked until something identified by a key changes: a document's state, the end of an event feed.
///
/// The owner of the data changes it first and calls ``notify(_:)`` after. A waiter registers first and checks
/// `alreadyChanged` after, so a change that lands between a reader's check and its wait is never missed.
public final class ChangeWaiters<Key: Hashable & Sendable>: Sendable {
    private struct State {
        var nextToken: UInt64 = 0
        var waiters: [Key: [UInt64: CheckedContinuation<Void, Never>]] = [:]
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
        woken?.values.forEach { $0.resume() }
    }

    /// Parks until `key` is notified or the task is cancelled; returns at once if `alreadyChanged()` holds.
    public func wait(for key: Key, unless alreadyChanged: @Sendable () -> Bool) async {
        let token = state.withLock { state -> UInt64 in
            state.nextToken += 1
            return state.nextToken
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                state.withLock { $0.waiters[key, default: [:]][token] = continuation }
                if Task.isCancelled || alreadyChanged() {
                    remove(token, of: key)?.resume()
                }
            }
        } onCancel: {
            remove(token, of: key)?.resume()
        }
    }

    private func remove(_ token: UInt64, of key: Key) -> CheckedContinuation<Void, Never>? {
        state.withLock { state in
            let continuation = state.waiters[key]?.removeValue(forKey: token)
            if state.waiters[key]?.isEmpty == true { state.waiters[key] = nil }
            return continuation
        }
    }
}
