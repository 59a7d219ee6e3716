import HelpDeskAPI
import Hummingbird
import ServerSupport

/// The webhook delivery log and redelivery of dead letters.
///
/// | route | answer |
/// |---|---|
/// | `GET /deliveries?status=&limit=` | 200 ``DeliveryList``, oldest first; `status` one of pending, delivered, failed, disabled, dropped |
/// | `POST /deliveries/{id}/retry` | 202 ``Delivery`` back in line; 404 unknown; 409 not failed |
struct DeliveriesController<Context: RequestContext> {
    let desk: MockHelpDesk

    func addRoutes(to router: Router<Context>) {
        router.get("deliveries", use: list)
        router.post("deliveries/{id}/retry", use: retry)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let status = try request.enumParameter("status", as: DeliveryStatus.self)
        let limit = try request.limitParameter(default: 1000, max: 10_000)
        return try Response.json(DeliveryList(deliveries: desk.dispatcher.deliveries(status: status, limit: limit)))
    }

    @Sendable func retry(_ request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        return try Response.json(try desk.dispatcher.redeliver(id), status: .accepted)
    }
}
