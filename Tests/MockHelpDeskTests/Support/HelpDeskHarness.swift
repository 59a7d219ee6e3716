import AsyncHTTPClient
import NIOHTTP1
import Foundation
import HelpDeskAPI
import Hummingbird
import Logging
import NIOCore
import ServerSupport
import SimulationSupport
import TestSupport

@testable import MockHelpDesk

/// A Help Desk served on port 0, driven by a manual clock, with an HTTP client to talk to it.
///
/// Reviews take exactly 3 s of model time and retries have no jitter unless a test configures otherwise, so every
/// instant in a test can be written down in advance.
struct HelpDeskHarness: Sendable {
    let clock: ManualClock
    let desk: MockHelpDesk
    let secret: WebhookSecret
    let baseURL: String
    let client: HTTPClient

    static let reviewDelay: Duration = .seconds(3)

    static func run<Result: Sendable>(
        _ configure: (inout HelpDeskConfiguration) -> Void = { _ in },
        _ body: (HelpDeskHarness) async throws -> Result
    ) async throws -> Result {
        var configuration = HelpDeskConfiguration()
        configuration.reviewDelay = .uniform(reviewDelay...reviewDelay)
        configuration.delivery.jitter = 0
        configure(&configuration)
        let clock = ManualClock()
        let secret = WebhookSecret.generate()
        let desk = try MockHelpDesk(
            configuration: configuration,
            secret: secret,
            clock: SimulationClock(base: clock),
            logger: quietLogger()
        )
        return try await withRunningApplication({ desk.makeApplication(port: 0, onServerRunning: $0) }) { port in
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
            let harness = HelpDeskHarness(clock: clock, desk: desk, secret: secret, baseURL: "http://127.0.0.1:\(port)", client: client)
            do {
                let result = try await body(harness)
                try await client.shutdown()
                return result
            } catch {
                try await client.shutdown()
                throw error
            }
        }
    }

    static func quietLogger() -> Logger {
        .quiet
    }

    /// The instant `seconds` of model time after the start.
    static func at(_ seconds: Double) -> ManualClock.Instant {
        .init(offset: .seconds(seconds))
    }

    /// Waits until something sleeps until `seconds`, then moves time there.
    func advance(toWhenParked seconds: Double) async {
        await clock.waitForSleeper(at: Self.at(seconds))
        clock.advance(to: Self.at(seconds))
    }

    /// Moves time to `seconds`, when the scheduler is parked there, and waits until `count` reviews are decided.
    func decide(at seconds: Double, count: Int = 1) async {
        await advance(toWhenParked: seconds)
        await desk.waitForDecisions(count: count)
    }

    var http: TestHTTPClient { TestHTTPClient(baseURL: baseURL, client: client) }

    func send(_ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [(String, String)] = []) async throws -> TestResponse {
        try await http.send(method, path, body: body, headers: headers)
    }

    func sendJSON(_ method: HTTPMethod, _ path: String, _ value: some Encodable, headers: [(String, String)] = []) async throws -> TestResponse {
        try await http.sendJSON(method, path, value, headers: headers)
    }

    /// Submits a document and expects 201.
    func submit(
        _ documentUrl: String = "https://example.com/contract.pdf",
        metadata: [String: String]? = nil,
        callback: String? = nil,
        style: CallbackPayloadStyle? = nil,
        idempotencyKey: String? = nil
    ) async throws -> SubmitDocumentResponse {
        var headers: [(String, String)] = []
        if let callback { headers.append((HelpDeskHeader.callbackURL, callback)) }
        if let style { headers.append((HelpDeskHeader.callbackPayload, style.rawValue)) }
        if let idempotencyKey { headers.append((HelpDeskHeader.idempotencyKey, idempotencyKey)) }
        let response = try await sendJSON(.POST, "/document", SubmitDocumentRequest(documentUrl: documentUrl, metadata: metadata), headers: headers)
        try #require(response.status == 201, "\(response.text)")
        return try response.decode(SubmitDocumentResponse.self)
    }
}

import Testing
