import HelpDeskAPI
import Hummingbird
import ServerSupport

/// The webhook delivery log, redelivery of dead letters, and the endpoints webhooks go to.
///
/// | route | answer |
/// |---|---|
/// | `GET /deliveries?status=&limit=` | 200 ``DeliveryList``, oldest first; `status` one of pending, delivered, failed, disabled, dropped |
/// | `POST /deliveries/{id}/retry` | 202 ``Delivery`` back in line; 404 unknown; 409 neither failed nor disabled, or its endpoint disabled |
/// | `POST /deliveries/replay` | body ``ReplayRequest``: 202 ``ReplayResult``; 400 bad or future `since`; 404 unknown `url`; 409 endpoint disabled |
/// | `GET /endpoints` | 200 ``EndpointList`` |
/// | `POST /endpoints/enable` | body ``EnableEndpointRequest``: 200 ``Endpoint``; 404 unknown `url` |
struct DeliveriesController<Context: RequestContext> {
    let desk: MockHelpDesk

    func addRoutes(to router: Router<Context>) {
        router.get("deliveries", use: list)
        router.post("deliveries/{id}/retry", use: retry)
        router.post("deliveries/replay", use: replay)
        router.get("endpoints", use: endpoints)
        router.post("endpoints/enable", use: enable)
    }

    /// Largest body of the replay and enable requests.
    static var maxBodyBytes: Int { 8 * 1024 }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let status = try request.enumParameter("status", as: DeliveryStatus.self)
        let limit = try request.limitParameter(default: 1000, max: 10_000)
        return try Response.json(DeliveryList(deliveries: desk.dispatcher.deliveries(status: status, limit: limit)))
    }

    @Sendable func retry(_ request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        return try Response.json(try desk.dispatcher.redeliver(id), status: .accepted)
    }

    @Sendable func replay(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.decodeStrictJSON(ReplayRequest.self, limit: Self.maxBodyBytes)
        return try Response.json(try desk.dispatcher.replay(since: body.since, url: body.url), status: .accepted)
    }

    @Sendable func endpoints(_ request: Request, context: Context) async throws -> Response {
        try Response.json(EndpointList(endpoints: desk.dispatcher.endpoints()))
    }

    @Sendable func enable(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.decodeStrictJSON(EnableEndpointRequest.self, limit: Self.maxBodyBytes)
        return try Response.json(try desk.dispatcher.enableEndpoint(body.url))
    }
}
