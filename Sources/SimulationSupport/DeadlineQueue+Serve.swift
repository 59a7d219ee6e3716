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
        let slots = LockedValue(Slots())
        let activity = clock.activity
        // Discarding: a run may hand out millions of entries, and a finished child must not be kept until awaited.
        await withDiscardingTaskGroup { group in
            var backlog = Deque<Element>()
            while true {
                while let element = backlog.first, slots.withLock({ $0.take(below: maxConcurrent) }) {
                    backlog.removeFirst()
                    let unit = activity.begin(label(element))
                    group.addTask {
                        await WorkUnit.$current.withValue(unit) { await handle(element) }
                        self.markDone()
                        // Only a consumer waiting for this place is woken (before this handler lets go).
                        if slots.withLock({ $0.give() }) { self.wakeConsumer() }
                        unit?.end()
                    }
                }
                guard let due = await nextDue(returningOnWake: true) else { break }
                backlog.append(contentsOf: due)
            }
        }
    }
}

/// The places of ``DeadlineQueue/serve(maxConcurrent:label:_:)``'s handlers, and whether its loop waits for one.
private struct Slots: Sendable {
    var running = 0
    var waitingForPlace = false

    /// Takes a place if fewer than `limit` are taken; otherwise marks the loop as waiting for one, in the same step,
    /// so the next handler to return wakes it.
    mutating func take(below limit: Int) -> Bool {
        guard running < limit else {
            waitingForPlace = true
            return false
        }
        running += 1
        return true
    }

    /// Gives a place back. - Returns: Whether the loop waited for one (and is no longer marked as waiting).
    mutating func give() -> Bool {
        running -= 1
        defer { waitingForPlace = false }
        return waitingForPlace
    }
}
