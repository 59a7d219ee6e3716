import Synchronization

/// A one-consumer wake-up flag: ``signal()`` wakes the parked ``wait()``, or makes the next one return at once.
///
/// Signals do not queue: several signals before a wait wake it once. The consumer re-reads its own state after
/// every wake, so a signal carries no data and none can be lost. A waiter that works for a ``WorkUnit`` parks it;
/// the signaller unparks it before the waiter runs again.
public final class WakeSignal: Sendable {
    private struct Waiter {
        var continuation: CheckedContinuation<Void, Never>
        var parking: Parking?
    }

    private struct State {
        var pending = false
        var waiter: Waiter?
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes the waiter, or leaves the flag set for the next wait.
    public func signal() {
        let waiter = state.withLock { state -> Waiter? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.parking?.end()
        waiter?.continuation.resume()
    }

    /// Returns when signalled or when the calling task is cancelled. Only one task may wait at a time.
    public func wait() async {
        let unit = WorkUnit.current
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let parking = unit?.prepareParking()
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    precondition(state.waiter == nil, "WakeSignal supports one waiter")
                    state.waiter = Waiter(continuation: continuation, parking: parking)
                    return false
                }
                if resumeNow { continuation.resume() } else { parking?.begin() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.parking?.end()
            waiter?.continuation.resume()
        }
    }
}
