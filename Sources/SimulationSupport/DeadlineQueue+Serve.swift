import DequeModule

extension DeadlineQueue {
    /// Hands every due entry to `handle` as a child task, at most `maxConcurrent` at once, and marks each done when
    /// its handler returns.
    ///
    /// Due entries that find every place taken wait in order, out of the queue, so they never keep the simulation
    /// busy: a handler may wait on the model (a held long-poll) for as long as it likes. Each handler runs as a
    /// ``WorkUnit`` of its own, and a handler that returns wakes the loop before it lets go.
    ///
    /// Returns once the queue is finished (or the task cancelled) and the handlers in flight have returned; a
    /// cancelled task cancels them too.
    /// - Parameters:
    ///   - maxConcurrent: Handlers at once.
    ///   - label: What handling an entry is, for the watchdog's report.
    ///   - handle: Handles one entry.
    public func serve(
        maxConcurrent: Int,
        label: @escaping @Sendable (Element) -> String = { _ in "a deadline-queue entry" },
        _ handle: @escaping @Sendable (Element) async -> Void
    ) async {
        let running = LockedValue(0)
        let activity = clock.activity
        // Discarding: a run may hand out millions of entries, and a finished child must not be kept until awaited.
        await withDiscardingTaskGroup { group in
            var backlog = Deque<Element>()
            while true {
                while running.value < maxConcurrent, let element = backlog.popFirst() {
                    running.withLock { $0 += 1 }
                    let unit = activity.begin(label(element))
                    group.addTask {
                        await WorkUnit.$current.withValue(unit) { await handle(element) }
                        self.markDone()
                        running.withLock { $0 -= 1 }
                        self.wakeConsumer()
                        unit?.end()
                    }
                }
                guard let due = await nextDue(returningOnWake: true) else { break }
                backlog.append(contentsOf: due)
            }
        }
    }
}
