import Synchronization

/// A task that works for a ``WorkUnit`` of its own (begun before the task starts, so no instant between the two
/// looks idle), whose end its starter can await while parked: the task wakes the waiters before it lets go.
///
/// On a wall clock it is a plain task.
public final class SimulationTask<Success: Sendable>: Sendable {
    private let task: Task<Success, any Error>
    private let done: LockedValue<Bool>
    private let doneChanges: ChangeWaiters<Int>

    /// Starts `operation` as the work of a new unit labelled `label`.
    public init(on clock: SimulationClock, label: String, _ operation: @escaping @Sendable () async throws -> Success) {
        let unit = clock.activity.begin(label)
        let done = LockedValue(false)
        let doneChanges = ChangeWaiters<Int>()
        self.done = done
        self.doneChanges = doneChanges
        self.task = Task {
            try await unit.run {
                defer {
                    done.withLock { $0 = true }
                    doneChanges.notify(0)
                }
                return try await operation()
            }
        }
    }

    /// The task's result, once it has one; the caller's unit is parked meanwhile.
    public var value: Success {
        get async throws {
            await doneChanges.wait(for: 0) { self.done.value }
            return try await task.value
        }
    }

    /// The task's result or error, once it has one.
    public var result: Result<Success, any Error> {
        get async {
            do { return .success(try await value) } catch { return .failure(error) }
        }
    }

    public func cancel() {
        task.cancel()
    }
}
