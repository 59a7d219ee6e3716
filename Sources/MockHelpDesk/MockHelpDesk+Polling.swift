import HelpDeskAPI
import ServiceLifecycle
import SimulationSupport

extension MockHelpDesk {
    /// A document's state, after waiting up to `wait` for it to change.
    ///
    /// "Changed" means: no longer matching `ifNoneMatch` when the client sent one, otherwise decided. Without a
    /// wait, or when the state has already changed, it answers at once.
    /// - Returns: The state, or `nil` for an unknown document.
    func document(_ documentId: String, ifNoneMatch: String?, wait: Duration) async -> DocumentState? {
        let registry = self.registry
        let hasChanged: @Sendable () -> Bool = {
            guard let state = registry.document(documentId) else { return true }
            if let ifNoneMatch { return !EntityTag.matches(ifNoneMatch, current: EntityTag.of(state)) }
            return state.documentStatus.isDecided
        }
        guard registry.document(documentId) != nil else { return nil }
        if wait > .zero, !hasChanged() {
            let (clock, deadline) = (self.clock, clock.now.advanced(by: wait))
            await holdUntilShutdown { await registry.documentChanges.wait(for: documentId, until: deadline, on: clock, unless: hasChanged) }
        }
        return registry.document(documentId)
    }

    /// Up to `limit` events after `cursor`, after waiting up to `wait` for one when there are none.
    func events(after cursor: EventCursor, limit: Int, wait: Duration) async -> EventPage {
        let registry = self.registry
        if wait > .zero, registry.eventCount <= cursor.sequence {
            let (clock, deadline) = (self.clock, clock.now.advanced(by: wait))
            await holdUntilShutdown {
                await registry.feedChanges.wait(for: .decisions, until: deadline, on: clock) { registry.eventCount > cursor.sequence }
            }
        }
        let events = registry.events(after: cursor.sequence, limit: limit)
        return EventPage(events: events, nextCursor: events.last?.id ?? cursor.description)
    }

    /// Holds a long-poll while `hold` waits (for a change or its deadline), or until the server shuts down gracefully,
    /// so a shutdown never waits for the longest long-poll.
    private func holdUntilShutdown(_ hold: @escaping @Sendable () async -> Bool) async {
        _ = await cancelWhenGracefulShutdown { await hold() }
    }

    /// The sequence of the newest event: a cursor beyond it is refused.
    var latestEventSequence: Int { registry.eventCount }
}
