import HelpDeskAPI
import Hummingbird
import ServerSupport

/// The event feed: `GET /events?after=CURSOR&limit=N&wait=SECONDS`.
///
/// Answers 200 ``EventPage`` with the decisions after `after` (from the start when absent), oldest first, at most
/// `limit` (default 100, at most 1000). With `wait`, an empty answer is held until a decision arrives or the wait
/// ends. A cursor that is not `evt_<n>`, or is past the newest event, answers 400; over the rate limit, 429.
struct EventsController<Context: RequestContext> {
    let desk: MockHelpDesk

    func addRoutes(to router: Router<Context>) {
        router.get("events", use: list)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let limitHeaders = try desk.admitPolling(feed: true)
        let cursor = try parseCursor(request.uri.queryParameters.get("after"))
        let limit = try request.limitParameter(default: 100, max: 1000)
        let wait = try request.waitParameter(max: desk.configuration.maxWait)
        return try Response.json(await desk.events(after: cursor, limit: limit, wait: wait), headers: limitHeaders)
    }

    private func parseCursor(_ raw: String?) throws(APIError) -> EventCursor {
        guard let raw, !raw.isEmpty else { return .start }
        guard let cursor = EventCursor(raw) else {
            throw .badRequest(field: "after", "must be an event id such as evt_42")
        }
        guard cursor.sequence <= desk.latestEventSequence else {
            throw .badRequest(field: "after", "names an event that does not exist")
        }
        return cursor
    }
}
