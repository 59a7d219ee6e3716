import HTTPTypes
import HelpDeskAPI
import Hummingbird
import ServerSupport
import SimulationSupport

/// The stream of decisions: `GET /events/stream`, server-sent events.
///
/// | answer | when |
/// |---|---|
/// | 200 `text/event-stream` | a `retry:` hint, then every decision after the resume point as it is made (`id:` the feed's cursor, `event: document.decided`, `data:` a ``DocumentEvent``), and a heartbeat comment on an idle stream |
/// | 400 | `Last-Event-ID` (header, or the `lastEventId` query parameter) is not an event id, or names one not made yet |
/// | 429 | every stream place is taken, or over the rate limit; with `Retry-After` |
///
/// Without `Last-Event-ID` the stream starts at the first decision; with it, right after the event it names, so
/// a client that reconnects misses nothing and gets nothing twice. The stream ends cleanly when the Help Desk shuts
/// down gracefully.
struct EventStreamController<Context: RequestContext> {
    let desk: MockHelpDesk

    /// The query parameter that stands in for the header, for clients that cannot set one.
    static var lastEventIdParameter: String { "lastEventId" }

    func addRoutes(to router: Router<Context>) {
        router.get("events/stream", use: stream)
    }

    @Sendable func stream(_ request: Request, context: Context) async throws -> Response {
        let cursor = try resumePoint(request)
        let limitHeaders = try desk.admitPolling()
        // The client's stream unit, when it sent one: the body works for it from here until it ends (the slot ends it
        // with the stream, or when the response is dropped unwritten), so no instant between this answer and the body
        // looks idle.
        let unit = desk.clock.activity.unit(token: request.headers.value(of: .simulationStream))
        let slot = try desk.openStream(workingFor: unit)
        let desk = self.desk
        return Response(
            status: .ok,
            headers: ([.contentType: "text/event-stream", .cacheControl: "no-store"] as HTTPFields).adding(limitHeaders),
            body: ResponseBody { writer in
                defer { slot.close() }
                try await WorkUnit.$current.withValue(unit) { try await desk.streamEvents(after: cursor, to: &writer) }
            }
        )
    }

    private func resumePoint(_ request: Request) throws(APIError) -> EventCursor {
        let header = request.headers[values: .lastEventID].first
        let field = header != nil ? HelpDeskHeader.lastEventID : Self.lastEventIdParameter
        let query: String? = request.uri.queryParameters.get(Self.lastEventIdParameter).map { String($0) }
        guard let raw = header ?? query, !raw.isEmpty else {
            return .start
        }
        guard let cursor = EventCursor(raw) else {
            throw .badRequest(field: field, "must be an event id such as evt_42")
        }
        guard cursor.sequence <= desk.latestEventSequence else {
            throw .badRequest(field: field, "names an event that does not exist yet")
        }
        return cursor
    }
}
