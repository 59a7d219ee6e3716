import Hummingbird

/// One answered request, as the traffic counters see it.
public struct TrafficSample: Sendable, Hashable {
    /// `METHOD /route/{parameter}`, or `METHOD unmatched` for an unknown path: bounded, so usable as a label.
    public var route: String
    public var status: Int
    /// Body bytes received (from `Content-Length`).
    public var requestBytes: Int
    /// Body bytes sent.
    public var responseBytes: Int
}

/// Reports every request with its route template, status and body sizes. Add it before the routes and outside
/// ``JSONErrorMiddleware`` so it sees the final answer, errors included.
public struct TrafficCountingMiddleware<Context: RequestContext>: RouterMiddleware {
    private let record: @Sendable (TrafficSample) -> Void

    public init(record: @escaping @Sendable (TrafficSample) -> Void) {
        self.record = record
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let requestBytes = request.headers.value(of: .contentLength).flatMap(Int.init) ?? 0
        let route: (Context) -> String = { context in
            let path = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
            return "\(request.method) \(path)"
        }
        do {
            let response = try await next(request, context)
            record(TrafficSample(route: route(context), status: Int(response.status.code), requestBytes: requestBytes, responseBytes: response.body.contentLength ?? 0))
            return response
        } catch {
            record(TrafficSample(route: route(context), status: 500, requestBytes: requestBytes, responseBytes: 0))
            throw error
        }
    }
}
