import HelpDeskAPI
import Testing

@testable import MockHelpDesk

@Suite(.timeLimit(.minutes(1)))
struct IdempotencyTests {
    private let key = [(HelpDeskHeader.idempotencyKey, "review-7f3a")]
    private let request = SubmitDocumentRequest(documentUrl: "https://example.com/a.pdf")

    @Test func theSameKeyAndBodyReplayTheFirstAnswer() async throws {
        try await HelpDeskHarness.run { harness in
            let first = try await harness.sendJSON(.POST, "/document", request, headers: key)
            let second = try await harness.sendJSON(.POST, "/document", request, headers: key)
            #expect(first.status == 201)
            #expect(second.status == 201)
            #expect(try second.decode(SubmitDocumentResponse.self) == first.decode(SubmitDocumentResponse.self))
            #expect(first.header(HelpDeskHeader.idempotentReplayed) == nil)
            #expect(second.header(HelpDeskHeader.idempotentReplayed) == "true")
            #expect(harness.desk.stats().documents.submitted == 1)
            #expect(harness.desk.pendingReviews == 1)
        }
    }

    @Test func theSameKeyWithAnotherBodyIsRefused() async throws {
        try await HelpDeskHarness.run { harness in
            _ = try await harness.sendJSON(.POST, "/document", request, headers: key)
            let other = try await harness.sendJSON(.POST, "/document", SubmitDocumentRequest(documentUrl: "https://example.com/b.pdf"), headers: key)
            #expect(other.status == 422)
            #expect(try other.error.field == HelpDeskHeader.idempotencyKey)
            let otherCallback = try await harness.sendJSON(.POST, "/document", request, headers: key + [(HelpDeskHeader.callbackURL, "http://127.0.0.1:1/x")])
            #expect(otherCallback.status == 422)
            #expect(harness.desk.stats().documents.submitted == 1)
        }
    }

    @Test func aDuplicateWhileTheFirstIsInFlightIsRefused() async throws {
        try await HelpDeskHarness.run({ $0.submitLatency = .seconds(1) }) { harness in
            async let first = harness.sendJSON(.POST, "/document", request, headers: key)
            await harness.clock.waitForSleeper(at: HelpDeskHarness.at(1))
            let duplicate = try await harness.sendJSON(.POST, "/document", request, headers: key)
            #expect(duplicate.status == 409)
            #expect(try duplicate.error.field == HelpDeskHeader.idempotencyKey)

            harness.clock.advance(to: HelpDeskHarness.at(1))
            let created = try await first
            #expect(created.status == 201)
            let replay = try await harness.sendJSON(.POST, "/document", request, headers: key)
            #expect(replay.status == 201)
            #expect(try replay.decode(SubmitDocumentResponse.self) == created.decode(SubmitDocumentResponse.self))
            #expect(harness.desk.stats().documents.submitted == 1)
        }
    }

    @Test func aKeyIsForgottenAfterItsTTL() async throws {
        try await HelpDeskHarness.run { harness in
            let first = try await harness.sendJSON(.POST, "/document", request, headers: key).decode(SubmitDocumentResponse.self)
            harness.clock.advance(to: HelpDeskHarness.at(24 * 3600 - 1))
            let replay = try await harness.sendJSON(.POST, "/document", request, headers: key).decode(SubmitDocumentResponse.self)
            #expect(replay == first)
            harness.clock.advance(to: HelpDeskHarness.at(24 * 3600))
            let fresh = try await harness.sendJSON(.POST, "/document", request, headers: key)
            #expect(fresh.status == 201)
            #expect(fresh.header(HelpDeskHeader.idempotentReplayed) == nil)
            #expect(try fresh.decode(SubmitDocumentResponse.self).documentId != first.documentId)
        }
    }

    @Test(arguments: ["", String(repeating: "k", count: 256), "two words"])
    func malformedKeysAreRefused(value: String) async throws {
        try await HelpDeskHarness.run { harness in
            let response = try await harness.sendJSON(.POST, "/document", request, headers: [(HelpDeskHeader.idempotencyKey, value)])
            #expect(response.status == 400)
            #expect(try response.error.field == HelpDeskHeader.idempotencyKey)
            #expect(harness.desk.stats().documents.submitted == 0)
        }
    }
}
