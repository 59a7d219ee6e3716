import Synchronization

extension SimulationClock {
    /// Runs `operation` until it returns or `deadline` passes, whichever comes first.
    ///
    /// On a virtual clock the operation runs as a ``WorkUnit`` of its own (it may wait on the simulation while the
    /// caller waits for it), and hands over to the caller before it lets go, so the caller is busy again before the
    /// operation's end can look like quiet.
    /// - Parameters:
    ///   - deadline: When to give up.
    ///   - label: What the operation is, for the watchdog's report.
    ///   - operation: The work; cancelled when the deadline passes first.
    /// - Returns: The operation's result, or `nil` if the deadline passed first.
    public func run<Result: Sendable>(
        until deadline: Instant,
        label: @autoclosure () -> String = "an operation with a deadline",
        _ operation: @escaping @Sendable () async -> Result
    ) async -> Result? {
        guard isVirtual else {
            return await withTaskGroup(of: Result?.self) { group in
                group.addTask { await operation() }
                group.addTask {
                    try? await self.sleep(until: deadline)
                    return nil
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
        }
        let finished = WakeSignal()
        let result = LockedValue<Result?>(nil)
        let unit = activity.begin(label())
        return await withTaskGroup(of: Void.self) { group in
            group.addTask {
                let value = await WorkUnit.$current.withValue(unit) { await operation() }
                result.withLock { $0 = value }
                finished.signal()
                unit?.end()
            }
            let reached = await sleep(until: deadline, orUntil: finished)
            // A result that came in the same step as the deadline still counts; one after the cancellation does not.
            let early = reached ? result.withLock { $0 } : nil
            if reached { group.cancelAll() }
            // The operation has finished or been cancelled: waiting for it to return is work, not a wait on the model.
            await group.waitForAll()
            return reached ? early : result.withLock { $0 }
        }
    }

    /// Sleeps until `deadline`, or returns early when `signal` fires or the task is cancelled.
    ///
    /// - Returns: `true` when the deadline was reached.
    public func sleep(until deadline: Instant, orUntil signal: WakeSignal) async -> Bool {
        guard let manual = virtualBase else {
            return await withTaskGroup(of: Bool.self) { group in
                group.addTask { (try? await self.sleep(until: deadline)) != nil }
                group.addTask {
                    await signal.wait()
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
        }
        // One wait, on the signal, which a timer fires at the deadline: the waiter's unit is parked once.
        let reached = LockedValue(false)
        let timer = manual.schedule(at: baseInstant(deadline)) {
            reached.withLock { $0 = true }
            signal.signal()
        }
        await signal.wait()
        manual.cancelTimer(timer)
        return reached.value
    }
}
