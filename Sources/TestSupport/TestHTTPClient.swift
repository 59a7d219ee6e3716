import AsyncHTTPClient
import Foundation
import HelpDeskAPI
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// An HTTP client for tests, bound to one server.
public struct TestHTTPClient: Sendable {
    public let baseURL: String
    public let client: HTTPClient

    public init(baseURL: String, client: HTTPClient) {
        self.baseURL = baseURL
        self.client = client
    }

    /// Runs `body` with a client for `baseURL`, shut down afterwards.
    public static func with<Result: Sendable>(baseURL: String, _ body: (TestHTTPClient) async throws -> Result) async throws -> Result {
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        do {
            let result = try await body(TestHTTPClient(baseURL: baseURL, client: client))
            try await client.shutdown()
            return result
        } catch {
            try await client.shutdown()
            throw error
        }
    }

    public func send(_ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [(String, String)] = []) async throws -> TestResponse {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return TestResponse(status: Int(response.status.code), headers: response.headers, body: Data(buffer: bytes))
    }

    public func sendJSON(_ method: HTTPMethod, _ path: String, _ value: some Encodable, headers: [(String, String)] = []) async throws -> TestResponse {
        try await send(method, path, body: HelpDeskJSON.encode(value), headers: [("Content-Type", "application/json")] + headers)
    }
}

/// An HTTP answer as a test reads it.
public struct TestResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data

    public var text: String { String(decoding: body, as: UTF8.self) }

    public func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try HelpDeskJSON.decode(type, from: body)
    }

    /// The JSON error body; throws if the body is not one.
    public var error: ErrorBody {
        get throws { try decode(ErrorBody.self) }
    }

    public func header(_ name: String) -> String? {
        headers.first(name: name)
    }
}
