extension SimulationClock {
    /// Runs `operation` until it returns or `deadline` passes, whichever comes first.
    ///
    /// - Returns: The operation's result, or `nil` if the deadline passed first (the operation is then cancelled).
    public func run<Result: Sendable>(
        until deadline: Instant,
        _ operation: @escaping @Sendable () async -> Result
    ) async -> Result? {
        await withTaskGroup(of: Result?.self) { group in
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

    /// Sleeps until `deadline`, or returns early when `signal` fires or the task is cancelled.
    ///
    /// - Returns: `true` when the deadline was reached.
    public func sleep(until deadline: Instant, orUntil signal: WakeSignal) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
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
}
