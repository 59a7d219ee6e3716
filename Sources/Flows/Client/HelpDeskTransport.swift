import Foundation
import NIOCore
import NIOHTTP1

/// Which HTTP client library carries our app's requests to the Help Desk.
public enum HelpDeskTransportKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// AsyncHTTPClient on SwiftNIO: the server ecosystem's client, and the default.
    case asyncHTTPClient = "async-http-client"
    /// Foundation's `URLSession`, which on Linux runs on libcurl: what most Swift code outside servers reaches for.
    case urlSession = "urlsession"

    public var description: String { rawValue }

    /// - Parameter failFast: Fail a request whose connection cannot be made at once, instead of retrying the
    ///   connection for up to the connect timeout of wall time: on a virtual clock, where a wall-time retry would
    ///   hold model time still while the Help Desk it waits for stays down, the client's own model-time retries
    ///   take over.
    func make(maxConnections: Int, failFast: Bool = false) -> any HelpDeskTransport {
        switch self {
        case .asyncHTTPClient: AsyncHTTPClientTransport(maxConnections: maxConnections, failFast: failFast)
        case .urlSession: URLSessionTransport(maxConnections: maxConnections)
        }
    }
}

/// One request to the Help Desk, as every transport takes it.
struct TransportRequest: Sendable {
    var method: HTTPMethod
    var url: String
    var headers: HTTPHeaders
    var body: Data?
    /// Wall time the request may take: the whole answer for ``HelpDeskTransport/send(_:maxBody:)``, its head for
    /// ``HelpDeskTransport/open(_:)``.
    var timeout: Duration
}

/// What a transport must do for our Help Desk client. Each follows no redirect (a 3xx is an answer like any other),
/// keeps no cache and no cookies, and gives up at the request's timeout.
protocol HelpDeskTransport: Sendable {
    /// The whole answer; a body longer than `maxBody` bytes fails the request.
    func send(_ request: TransportRequest, maxBody: Int) async throws -> (status: Int, headers: HTTPHeaders, body: Data)
    /// The answer's head within the timeout, then its body as it arrives, for as long as it lasts.
    func open(_ request: TransportRequest) async throws -> (status: Int, headers: HTTPHeaders, body: EventStreamBody)
    func shutdown() async throws
}

/// A transport's own failure, beside the library's errors.
struct TransportError: Error, CustomStringConvertible {
    let description: String

    static func timedOut(_ timeout: Duration) -> Self { Self(description: "no answer within \(timeout)") }
    static func bodyTooLarge(_ limit: Int) -> Self { Self(description: "the body is over \(limit) bytes") }
}
