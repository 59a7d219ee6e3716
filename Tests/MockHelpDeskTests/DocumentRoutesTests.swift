import Foundation
import HelpDeskAPI
import NIOHTTP1
import Testing

@testable import MockHelpDesk

@Suite(.timeLimit(.minutes(1)))
struct DocumentRoutesTests {
    private let json = [("Content-Type", "application/json")]

    @Test func aSubmittedDocumentIsPendingThenDecidedWithItsETag() async throws {
        try await HelpDeskHarness.run { harness in
            let response = try await harness.sendJSON(.POST, "/document", SubmitDocumentRequest(documentUrl: "https://example.com/a.pdf"))
            #expect(response.status == 201)
            let document = try response.decode(SubmitDocumentResponse.self)
            #expect(document.documentStatus == .pendingReview)
            #expect(response.header("Location") == "/document/\(document.documentId)")
            #expect(response.header("Content-Type") == "application/json")

            let pending = try await harness.send(.GET, "/document/\(document.documentId)")
            #expect(pending.status == 200)
            #expect(pending.header("ETag") == "\"v1\"")
            let pendingState = try pending.decode(DocumentState.self)
            #expect(pendingState.documentStatus == .pendingReview)
            #expect(pendingState.version == 1)
            #expect(pendingState.agentId == document.agentId)

            let unchanged = try await harness.send(.GET, "/document/\(document.documentId)", headers: [("If-None-Match", "\"v1\"")])
            #expect(unchanged.status == 304)
            #expect(unchanged.body.isEmpty)
            #expect(unchanged.header("ETag") == "\"v1\"")

            await harness.decide(at: 3)
            let decided = try await harness.send(.GET, "/document/\(document.documentId)", headers: [("If-None-Match", "\"v1\"")])
            #expect(decided.status == 200)
            #expect(decided.header("ETag") == "\"v2\"")
            let state = try decided.decode(DocumentState.self)
            #expect(state.documentStatus == harness.desk.decisions.first?.verdict)
            #expect(state.version == 2)
        }
    }

    @Test func anUnknownDocumentIs404WithAJSONError() async throws {
        try await HelpDeskHarness.run { harness in
            let response = try await harness.send(.GET, "/document/doc_missing")
            #expect(response.status == 404)
            #expect(try response.error.field == "documentId")
        }
    }

    @Test(arguments: [
        (#"{"documentUrl": "https://example.com/a.pdf""#, [] as [(String, String)], 400, nil as String?),
        ("", [], 400, nil),
        (#"[]"#, [], 400, nil),
        (#"{}"#, [], 400, "documentUrl"),
        (#"{"documentUrl": 7}"#, [], 400, "documentUrl"),
        (#"{"documentUrl": null}"#, [], 400, "documentUrl"),
        (#"{"documentUrl": "not a url"}"#, [], 400, "documentUrl"),
        (#"{"documentUrl": "https://example.com/a.pdf", "metadata": {"k": 1}}"#, [], 400, "metadata.k"),
        (#"{"documentUrl": "https://example.com/a.pdf", "metadata": []}"#, [], 400, "metadata"),
        (#"{"documentUrl": "https://example.com/a.pdf"}"#, [("X-Callback-Url", "http://example.net/hook")], 400, "X-Callback-Url"),
        (#"{"documentUrl": "https://example.com/a.pdf"}"#, [("X-Callback-Url", "gopher://127.0.0.1/hook")], 400, "X-Callback-Url"),
        (#"{"documentUrl": "https://example.com/a.pdf"}"#, [("X-Callback-Url", "http://a:b@127.0.0.1/hook")], 400, "X-Callback-Url"),
        (#"{"documentUrl": "https://example.com/a.pdf"}"#, [("X-Callback-Url", "http://127.0.0.1/h"), ("X-Callback-Payload", "fat")], 400, "X-Callback-Payload"),
        (#"{"documentUrl": "https://example.com/a.pdf"}"#, [("X-Idempotency-Key", "")], 400, "X-Idempotency-Key"),
    ] as [(String, [(String, String)], Int, String?)])
    func badSubmissionsAreRefusedNamingTheFieldAndChangeNothing(body: String, headers: [(String, String)], status: Int, field: String?) async throws {
        try await HelpDeskHarness.run { harness in
            let response = try await harness.send(.POST, "/document", body: Data(body.utf8), headers: json + headers)
            #expect(response.status == status, "\(response.text)")
            let error = try response.error
            #expect(error.field == field)
            #expect(!error.error.isEmpty)
            #expect(harness.desk.stats().documents.submitted == 0)
        }
    }

    @Test func theBodyMustBeJSONAndOfBoundedSize() async throws {
        try await HelpDeskHarness.run { harness in
            let body = Data(#"{"documentUrl": "https://example.com/a.pdf"}"#.utf8)
            let plain = try await harness.send(.POST, "/document", body: body, headers: [("Content-Type", "text/plain")])
            #expect(plain.status == 415)
            #expect(try plain.error.field == "Content-Type")
            #expect(try await harness.send(.POST, "/document", body: body).status == 415)

            let huge = SubmitDocumentRequest(documentUrl: "https://example.com/a.pdf", metadata: ["k": String(repeating: "x", count: 70_000)])
            let tooLarge = try await harness.sendJSON(.POST, "/document", huge)
            #expect(tooLarge.status == 413)
            #expect(!(try tooLarge.error.error.isEmpty))
            #expect(harness.desk.stats().documents.submitted == 0)
        }
    }

    @Test func unknownRoutesAnswer404WithAJSONError() async throws {
        try await HelpDeskHarness.run { harness in
            for (method, path) in [(HTTPMethod.GET, "/nowhere"), (.DELETE, "/document/doc_1"), (.PUT, "/document")] {
                let response = try await harness.send(method, path)
                #expect(response.status == 404)
                #expect(try response.error.error.contains("no route"))
            }
        }
    }

    @Test func aLongPollAnswersWhenTheReviewIsDecided() async throws {
        try await HelpDeskHarness.run { harness in
            let document = try await harness.submit()
            async let polled = harness.send(.GET, "/document/\(document.documentId)?wait=10")
            await harness.clock.waitForSleeper(at: HelpDeskHarness.at(10))
            await harness.advance(toWhenParked: 3)
            let response = try await polled
            #expect(response.status == 200)
            #expect(try response.decode(DocumentState.self).documentStatus.isDecided)
        }
    }

    @Test func aLongPollAnswersWhenTheWaitEnds() async throws {
        try await HelpDeskHarness.run({ $0.reviewDelay = .uniform(.seconds(60) ... .seconds(60)) }) { harness in
            let document = try await harness.submit()
            async let conditional = harness.send(.GET, "/document/\(document.documentId)?wait=10", headers: [("If-None-Match", "\"v1\"")])
            async let plain = harness.send(.GET, "/document/\(document.documentId)?wait=10")
            await harness.clock.waitForSleepers { $0.filter { $0 == HelpDeskHarness.at(10) }.count == 2 }
            harness.clock.advance(to: HelpDeskHarness.at(10))
            #expect(try await conditional.status == 304)
            let unchanged = try await plain
            #expect(unchanged.status == 200)
            #expect(try unchanged.decode(DocumentState.self).documentStatus == .pendingReview)
        }
    }

    @Test(arguments: ["-1", "301", "soon", "nan", "inf"])
    func aBadWaitIsRefused(wait: String) async throws {
        try await HelpDeskHarness.run { harness in
            let document = try await harness.submit()
            let response = try await harness.send(.GET, "/document/\(document.documentId)?wait=\(wait)")
            #expect(response.status == 400)
            #expect(try response.error.field == "wait")
        }
    }
}
