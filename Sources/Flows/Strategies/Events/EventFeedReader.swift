import HelpDeskAPI
import SimulationSupport

/// Reads the Help Desk's event feed from a cursor kept in the database and applies what it finds.
struct EventFeedReader: Sendable {
    /// The name the cursor is stored under.
    let cursorName: String
    let source: VerdictSource
    let context: StrategyContext
    /// Events asked for per request.
    static let pageSize = 100

    /// Reads pages until the feed is exhausted, applying each page and moving the stored cursor with it.
    /// - Returns: `nil` when the feed is read to its end, or how long the Help Desk asked us to wait.
    func drain() async throws -> Duration? {
        var cursor = try await context.ledger.store.eventCursor(named: cursorName)
        while !Task.isCancelled {
            let answer = try await context.meter.measure { () async throws -> HelpDeskClient.EventsAnswer in
                let answer = try await context.client.events(after: cursor, limit: Self.pageSize)
                if case .page(let page) = answer {
                    _ = try await context.ledger.apply(events: page.events, advancingCursor: cursorName, to: page.nextCursor, source: source)
                }
                return answer
            }
            switch answer {
            case .retryLater(let retryAfter):
                return retryAfter ?? .seconds(1)
            case .page(let page):
                cursor = page.nextCursor
                if page.events.count < Self.pageSize { return nil }
            }
        }
        return nil
    }
}
