extension DeadlineQueue {
    /// Hands every due entry to `handle` as a child task, at most `maxConcurrent` at once, and marks each done when
    /// its handler returns.
    ///
    /// Returns once the queue is finished (or the task cancelled) and the handlers in flight have returned; a
    /// cancelled task cancels them too.
    public func serve(maxConcurrent: Int, _ handle: @escaping @Sendable (Element) async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            while let due = await nextDue() {
                for element in due {
                    if running >= maxConcurrent {
                        await group.next()
                        running -= 1
                    }
                    group.addTask {
                        await handle(element)
                        self.markDone()
                    }
                    running += 1
                }
            }
        }
    }
}
