import HTTPTypes
import Hummingbird
import SimulationSupport

/// Takes over, for the handler, the ``WorkUnit`` a client sent with its request (``SimulationClock/workHeader``), so
/// every wait of the handler parks the client's exchange and every wake-up keeps it running; when the handler
/// returns, the answer is marked in transit. Without the header, or on a wall clock, it does nothing.
///
/// Add it before every other middleware, so that their waits (an injected slow answer) count too.
public struct SimulationWorkMiddleware<Context: RequestContext>: RouterMiddleware {
    private let activity: SimulationActivity

    public init(activity: SimulationActivity) {
        self.activity = activity
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard activity.isTracking, let unit = activity.unit(token: request.headers.value(of: .simulationWork)) else {
            return try await next(request, context)
        }
        defer { unit.responded() }
        return try await unit.adopt { try await next(request, context) }
    }
}

extension HTTPField.Name {
    /// ``SimulationClock/workHeader``.
    public static let simulationWork = Self(SimulationClock.workHeader)!
    /// ``SimulationClock/streamHeader``.
    public static let simulationStream = Self(SimulationClock.streamHeader)!
}
