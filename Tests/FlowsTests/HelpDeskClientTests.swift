import Foundation
import HTTPTypes
import HelpDeskAPI
import Hummingbird
import NIOCore
import ServerSupport
import SimulationSupport
import Synchronization
import Testing

@testable import Flows

/// Our Help Desk client's promises, the same test on each transport, against a server on port 0 that answers as a
/// Help Desk can: a retried submission keeps its idempotency key, an ETag gets 304, `Retry-After` is read, a redirect
/// is an answer and not followed, a body over the bound fails its request, and a stream is read as it comes.
@Suite(.timeLimit(.minutes(1)))
struct HelpDeskClientTests {
    /// What the server saw.
    private final class Seen: Sendable {
        let submissions = Mutex<[String?]>([])
        let redirectTargetHits = Mutex(0)
    }

    static let state = DocumentState(documentId: "doc_1", agentId: "agent_1", documentStatus: .accepted, version: 2, updatedAt: Date(timeIntervalSince1970: 1_800_000_000))
    static let streamBody = "retry: 1000\n\nid: evt_1\nevent: decision\ndata: {}\n\n"

    private func withServer<Result: Sendable>(_ body: (String, Seen) async throws -> Result) async throws -> Result {
        let seen = Seen()
        let router = Router()
        router.post("/document") { request, _ -> Response in
            let attempt = seen.submissions.withLock { submissions in
                submissions.append(request.headers[.idempotencyKey])
                return submissions.count
            }
            // The first attempt meets a failing Help Desk; the retry is answered.
            guard attempt > 1 else { return Response(status: .serviceUnavailable) }
            let answer = try HelpDeskJSON.encode(SubmitDocumentResponse(agentId: "agent_1", documentId: "doc_1", documentStatus: .pendingReview))
            return Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: answer)))
        }
        router.get("/document/doc_1") { request, _ -> Response in
            if request.headers[.ifNoneMatch] == "\"v2\"" { return Response(status: .notModified, headers: [.eTag: "\"v2\""]) }
            let answer = try HelpDeskJSON.encode(Self.state)
            return Response(status: .ok, headers: [.contentType: "application/json", .eTag: "\"v2\""], body: .init(byteBuffer: ByteBuffer(bytes: answer)))
        }
        router.get("/document/busy") { _, _ in Response(status: .serviceUnavailable, headers: [.retryAfter: "7"]) }
        router.get("/document/moved") { _, _ in Response(status: .found, headers: [.location: "/document/doc_1"]) }
        router.get("/document/large") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: " "), count: HelpDeskClient.maxBody + 1)))
        }
        router.get("/events/stream") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/event-stream"], body: .init(byteBuffer: ByteBuffer(string: Self.streamBody)))
        }
        return try await withRunningApplication({ onRunning in
            Application(
                router: router,
                configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
                logger: .quiet
            )
        }) { port in
            try await body("http://127.0.0.1:\(port)", seen)
        }
    }

    private func withClient<Result: Sendable>(_ transport: HelpDeskTransportKind, _ body: (HelpDeskClient, Seen) async throws -> Result) async throws -> Result {
        try await withServer { url, seen in
            // Model time runs ten thousand times faster than wall time: the client's retry pause is a blink.
            let client = HelpDeskClient(baseURL: url, clock: SimulationClock(base: ContinuousClock(), timeScale: 0.0001), transport: transport)
            do {
                let result = try await body(client, seen)
                try await client.shutdown()
                return result
            } catch {
                try await client.shutdown()
                throw error
            }
        }
    }

    @Test(arguments: HelpDeskTransportKind.allCases)
    func aFailedSubmissionIsRetriedWithTheSameIdempotencyKey(transport: HelpDeskTransportKind) async throws {
        try await withClient(transport) { client, seen async throws in
            let answer = try await client.submit(documentUrl: "https://example.com/a.pdf", callback: nil, idempotencyKey: "key_1")
            #expect(answer.documentId == "doc_1")
            #expect(seen.submissions.withLock { $0 } == ["key_1", "key_1"])
            #expect(client.traffic.requests[.submit] == 2)
            #expect(client.traffic.bytesSent == 2 * (try HelpDeskJSON.encode(SubmitDocumentRequest(documentUrl: "https://example.com/a.pdf")).count))
        }
    }

    @Test(arguments: HelpDeskTransportKind.allCases)
    func aMatchingETagIsAnswered304(transport: HelpDeskTransportKind) async throws {
        try await withClient(transport) { client, _ async throws in
            #expect(try await client.document("doc_1") == .state(Self.state, etag: "\"v2\""))
            #expect(try await client.document("doc_1", ifNoneMatch: "\"v2\"") == .notModified)
            #expect(try await client.document("doc_1", ifNoneMatch: "\"v1\"") == .state(Self.state, etag: "\"v2\""))
            #expect(client.traffic.requests[.status] == 3)
            #expect(client.traffic.bytesReceived == 2 * (try HelpDeskJSON.encode(Self.state).count))
        }
    }

    @Test(arguments: HelpDeskTransportKind.allCases)
    func retryAfterIsRead(transport: HelpDeskTransportKind) async throws {
        try await withClient(transport) { client, _ async throws in
            #expect(try await client.document("busy") == .retryLater(retryAfter: .seconds(7)))
        }
    }

    @Test(arguments: HelpDeskTransportKind.allCases)
    func aRedirectIsAnAnswerAndNotFollowed(transport: HelpDeskTransportKind) async throws {
        try await withClient(transport) { client, _ async throws in
            let error = await #expect(throws: HelpDeskClientError.self) { try await client.document("moved") }
            #expect(error?.statusCode == 302)
        }
    }

    @Test(arguments: HelpDeskTransportKind.allCases)
    func aBodyOverTheBoundFailsItsRequest(transport: HelpDeskTransportKind) async throws {
        try await withClient(transport) { client, _ async throws in
            let error = await #expect(throws: HelpDeskClientError.self) { try await client.document("large") }
            #expect(error?.statusCode == nil, "a transport failure, not an answer: \(String(describing: error))")
            // The client still works after refusing a body.
            #expect(try await client.document("doc_1") == .state(Self.state, etag: "\"v2\""))
        }
    }

    @Test(arguments: HelpDeskTransportKind.allCases)
    func aStreamIsReadAsItComesAndCounted(transport: HelpDeskTransportKind) async throws {
        try await withClient(transport) { client, _ async throws in
            guard case .stream(let body) = try await client.openEventStream(lastEventId: "evt_0") else {
                Issue.record("the stream was not opened")
                return
            }
            var text = ""
            for try await buffer in body { text += String(buffer: buffer) }
            #expect(text == Self.streamBody)
            #expect(client.traffic.requests[.stream] == 1)
            #expect(client.traffic.bytesReceived == Self.streamBody.utf8.count)
        }
    }
}
