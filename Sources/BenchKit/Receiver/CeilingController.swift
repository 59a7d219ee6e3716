import Hummingbird
import ServerSupport

/// `POST /_bench/ceiling`: reads the body and answers a fixed JSON, nothing else. The receiver load test drives it
/// on the same server, through the same middleware, as the receiver, so the receiver's rate can be stated as a
/// share of what the server can answer at all.
struct CeilingController<Context: RequestContext> {
    func addRoutes(to router: Router<Context>) {
        router.post(RouterPath(ReceiverBenchmark.ceilingPath)) { request, _ -> Response in
            _ = try await request.collectBody(limit: 64 * 1024)
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"result":"ceiling"}"#))
            )
        }
    }
}
