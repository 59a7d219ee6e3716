import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import ServerSupport

/// The Help Desk client's transport on AsyncHTTPClient: one `HTTPClient` with a bounded pool of HTTP/1.1
/// connections, redirects disallowed.
struct AsyncHTTPClientTransport: HelpDeskTransport {
    private let http: HTTPClient

    init(maxConnections: Int, failFast: Bool = false) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnections)
        configuration.connectionPool.retryConnectionEstablishment = !failFast
        configuration.timeout = .init(connect: .seconds(10))
        configuration.redirectConfiguration = .disallow
        configuration.httpVersion = .http1Only
        // No spans: with the global no-op tracer the client would still build each request's span attributes.
        configuration.tracing.tracer = nil
        http = HTTPClient(eventLoopGroup: SimulationThread.eventLoopGroup, configuration: configuration)
    }

    func send(_ request: TransportRequest, maxBody: Int) async throws -> (status: Int, headers: HTTPHeaders, body: Data) {
        let response = try await http.execute(Self.request(request), timeout: .nanoseconds(request.timeout.nanosecondsValue))
        let bytes = try await response.body.collect(upTo: maxBody)
        return (Int(response.status.code), response.headers, Data(buffer: bytes))
    }

    func open(_ request: TransportRequest) async throws -> (status: Int, headers: HTTPHeaders, body: EventStreamBody) {
        let response = try await http.execute(Self.request(request), timeout: .nanoseconds(request.timeout.nanosecondsValue))
        return (Int(response.status.code), response.headers, EventStreamBody(response.body))
    }

    func shutdown() async throws {
        try await http.shutdown()
    }

    private static func request(_ request: TransportRequest) -> HTTPClientRequest {
        var built = HTTPClientRequest(url: request.url)
        built.method = request.method
        built.headers = request.headers
        if let body = request.body { built.body = .bytes(ByteBuffer(bytes: body)) }
        return built
    }
}
