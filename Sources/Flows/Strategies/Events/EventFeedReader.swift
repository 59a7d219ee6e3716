import HelpDeskAPI
import SimulationSupport

/// Reads the Help Desk's event feed from a cursor kept in the database and applies what it finds.
struct EventFeedReader: Sendable {
    /// The name the cursor is stored under.
    let cursorName: String
    let source: VerdictSource
    let context: StrategyContext
    var pageSize = 100

    /// Reads pages until the feed is exhausted, applying each page and moving the stored cursor with it.
    /// - Returns: `nil` when the feed is read to its end, or how long the Help Desk asked us to wait.
    func drain() async throws -> Duration? {
        var cursor = try await context.ledger.store.eventCursor(named: cursorName)
        while !Task.isCancelled {
            let answer = try await context.client.events(after: cursor, limit: pageSize)
            switch answer {
            case .retryLater(let retryAfter):
                context.meter.record(wasted: true)
                return retryAfter ?? .seconds(1)
            case .page(let page):
                let outcomes = try await context.ledger.apply(
                    events: page.events,
                    advancingCursor: cursorName,
                    to: page.nextCursor,
                    source: source
                )
                context.meter.record(wasted: !outcomes.contains(where: \.changedRow))
                cursor = page.nextCursor
                if page.events.count < pageSize { return nil }
            }
        }
        return nil
    }
}
