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
            await holdUntilShutdown(wait) {
                await registry.documentChanges.wait(for: documentId, unless: hasChanged)
            }
        }
        return registry.document(documentId)
    }

    /// Up to `limit` events after `cursor`, after waiting up to `wait` for one when there are none.
    func events(after cursor: EventCursor, limit: Int, wait: Duration) async -> EventPage {
        let registry = self.registry
        if wait > .zero, registry.eventCount <= cursor.sequence {
            await holdUntilShutdown(wait) {
                await registry.feedChanges.wait(for: .decisions) { registry.eventCount > cursor.sequence }
            }
        }
        let events = registry.events(after: cursor.sequence, limit: limit)
        return EventPage(events: events, nextCursor: events.last?.id ?? cursor.description)
    }

    /// Holds a long-poll until `change` returns, `wait` passes, or the server shuts down gracefully, so a shutdown
    /// never waits for the longest long-poll.
    private func holdUntilShutdown(_ wait: Duration, until change: @escaping @Sendable () async -> Void) async {
        let clock = self.clock
        let deadline = clock.now.advanced(by: wait)
        _ = await cancelWhenGracefulShutdown { await clock.run(until: deadline, change) }
    }

    /// The sequence of the newest event: a cursor beyond it is refused.
    var latestEventSequence: Int { registry.eventCount }
}
