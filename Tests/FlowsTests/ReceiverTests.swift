@testable import Flows
import MockHelpDesk
import Foundation
import GRDB
import HelpDeskAPI
import TestSupport
import Testing

/// `POST /document/update` over real HTTP: signatures first, then the body, then the state machine.
///
/// The Help Desk's own reviews take 1000 s here, so only the webhooks a test sends reach the receiver.
@Suite(.timeLimit(.minutes(1)))
struct ReceiverTests {
    private static func slowDesk(_ configuration: inout HelpDeskConfiguration) {
        configuration.reviewDelay = .uniform(.seconds(1000) ... .seconds(1000))
    }

    private func payload(_ documentId: String, _ status: String = "ACCEPTED") -> Data {
        Data(#"{"agentId": "agent_1", "documentId": "\#(documentId)", "documentStatus": "\#(status)"}"#.utf8)
    }

    /// The whole database, to prove a refused request changed nothing.
    private func snapshot(_ harness: FlowHarness) async throws -> [String] {
        try await harness.store.pool.read { db in
            try ["document_reviews", "received_webhooks", "early_verdicts", "thin_notifications"].flatMap { table in
                try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1").map { "\(table): \($0)" }
            }
        }
    }

    @Test func aSignedVerdictIsAppliedOnceAndDuplicatesChangeNothing() async throws {
        try await FlowHarness.run(strategy: .webhook, configureDesk: Self.slowDesk) { harness in
            let review = try await harness.submit()
            let body = payload(review.documentId)
            let headers = harness.signedHeaders(body, id: "msg_1")

            let first = try await harness.api.send(.POST, "/document/update", body: body, headers: headers)
            #expect(first.status == 200)
            #expect(first.text.contains("applied"))
            #expect(try await harness.store.review(documentId: review.documentId)?.documentStatus == .accepted)

            let again = try await harness.api.send(.POST, "/document/update", body: body, headers: harness.signedHeaders(body, id: "msg_1"))
            #expect(again.status == 200)
            #expect(again.text.contains("duplicate"))
            let sameVerdict = try await harness.api.send(.POST, "/document/update", body: body, headers: harness.signedHeaders(body, id: "msg_2"))
            #expect(sameVerdict.status == 200)
            #expect(sameVerdict.text.contains("already_applied"))
            #expect(harness.app.ledger.snapshot.applied == 1)
            #expect(harness.app.ledger.snapshot.duplicatesSuppressed == 1)
        }
    }

    @Test func aConflictingVerdictIs409AndChangesNothing() async throws {
        try await FlowHarness.run(strategy: .webhook, configureDesk: Self.slowDesk) { harness in
            let review = try await harness.submit()
            let declined = payload(review.documentId, "DECLINED")
            _ = try await harness.api.send(.POST, "/document/update", body: declined, headers: harness.signedHeaders(declined))
            let before = try await snapshot(harness)

            let accepted = payload(review.documentId, "ACCEPTED")
            let conflict = try await harness.api.send(.POST, "/document/update", body: accepted, headers: harness.signedHeaders(accepted))
            #expect(conflict.status == 409)
            #expect(try conflict.error.field == "documentStatus")
            #expect(try await snapshot(harness) == before)
            #expect(harness.app.ledger.snapshot.conflicts == 1)
        }
    }

    @Test func aVerdictForADocumentNotYetStoredIsParked() async throws {
        try await FlowHarness.run(strategy: .webhook, configureDesk: Self.slowDesk) { harness in
            let body = payload("doc_not_yet_inserted", "DECLINED")
            let response = try await harness.api.send(.POST, "/document/update", body: body, headers: harness.signedHeaders(body))
            #expect(response.status == 202)
            #expect(response.text.contains("parked"))
        }
    }

    @Test func aThinWebhookIsQueuedThenFetchedFromTheHelpDesk() async throws {
        try await FlowHarness.run(strategy: .webhookThin, configureDesk: { $0.reviewDelay = .uniform(.seconds(2) ... .seconds(2)) }) { harness in
            let review = try await harness.submit()
            // Decide the review at the Help Desk, then deliver a thin webhook ourselves before its own arrives.
            harness.clock.advance(to: FlowHarness.at(2))
            await harness.desk.waitForDecisions(count: 1)
            let body = Data(#"{"documentId": "\#(review.documentId)"}"#.utf8)
            let response = try await harness.api.send(.POST, "/document/update", body: body, headers: harness.signedHeaders(body))
            #expect(response.status == 202 || response.status == 200)
            #expect(try await harness.runUntilAllDecided(limit: 10))
            try await harness.expectRowsMatchTheHelpDesk(count: 1)
        }
    }

    @Test(arguments: [
        ("webhook-id", "webhook-id"), ("webhook-timestamp", "webhook-timestamp"), ("webhook-signature", "webhook-signature"),
    ])
    func aMissingSignatureHeaderIs401(header: String, field: String) async throws {
        try await FlowHarness.run(strategy: .webhook, configureDesk: Self.slowDesk) { harness in
            let review = try await harness.submit()
            let body = payload(review.documentId)
            let before = try await snapshot(harness)
            let headers = harness.signedHeaders(body).filter { $0.0 != header }
            let response = try await harness.api.send(.POST, "/document/update", body: body, headers: headers)
            #expect(response.status == 401)
            #expect(try response.error.field == field)
            #expect(try await snapshot(harness) == before)
        }
    }

    @Test func forgedStaleFutureAndMalformedSignaturesAre401AndChangeNothing() async throws {
        try await FlowHarness.run(strategy: .webhook, configureDesk: Self.slowDesk) { harness in
            let review = try await harness.submit()
            let body = payload(review.documentId)
            let before = try await snapshot(harness)
            let now = harness.wallClock()
            let cases: [(String, [(String, String)])] = [
                ("another secret", harness.signedHeaders(body, secret: .generate())),
                ("stale", harness.signedHeaders(body, at: now.addingTimeInterval(-301))),
                ("future", harness.signedHeaders(body, at: now.addingTimeInterval(301))),
                ("malformed", harness.signedHeaders(body).map { $0.0 == "webhook-signature" ? ($0.0, "v1 not-base64") : $0 }),
                ("signed other body", harness.signedHeaders(payload(review.documentId, "DECLINED"))),
            ]
            for (name, headers) in cases {
                let response = try await harness.api.send(.POST, "/document/update", body: body, headers: headers)
                #expect(response.status == 401, "\(name)")
                #expect(try !response.error.error.isEmpty, "\(name)")
            }
            #expect(try await snapshot(harness) == before)
        }
    }

    @Test(arguments: [
        (#"{"agentId": "a", "documentId": "d", "documentStatus": "ACCEPTED""#, 400, nil as String?),
        ("", 400, nil),
        ("[1]", 400, nil),
        (#"{"agentId": "a", "documentStatus": "ACCEPTED"}"#, 422, "documentId"),
        (#"{"documentId": "d", "documentStatus": "ACCEPTED"}"#, 422, "agentId"),
        (#"{"agentId": "a", "documentId": "d"}"#, 422, "documentStatus"),
        (#"{"agentId": "a", "documentId": 7, "documentStatus": "ACCEPTED"}"#, 422, "documentId"),
        (#"{"agentId": "a", "documentId": "d", "documentStatus": "MAYBE"}"#, 422, "documentStatus"),
        (#"{"agentId": "a", "documentId": "d", "documentStatus": "PENDING_REVIEW"}"#, 422, "documentStatus"),
        (#"{"agentId": "a", "documentId": "", "documentStatus": "ACCEPTED"}"#, 422, "documentId"),
        (#"{"documentId": 12}"#, 422, "documentId"),
        (#"{}"#, 422, "documentId"),
    ] as [(String, Int, String?)])
    func aSignedButInvalidBodyIsRefusedNamingTheField(body: String, status: Int, field: String?) async throws {
        try await FlowHarness.run(strategy: .webhook, configureDesk: Self.slowDesk) { harness in
            _ = try await harness.submit()
            let before = try await snapshot(harness)
            let data = Data(body.utf8)
            let response = try await harness.api.send(.POST, "/document/update", body: data, headers: harness.signedHeaders(data))
            #expect(response.status == status, "\(response.text)")
            #expect(try response.error.field == field)
            #expect(try await snapshot(harness) == before)
        }
    }

    @Test func aBodyOver64KiBIs413AndTheContentTypeMustBeJSON() async throws {
        try await FlowHarness.run(strategy: .webhook, configureDesk: Self.slowDesk) { harness in
            let review = try await harness.submit()
            let before = try await snapshot(harness)
            let huge = Data(repeating: UInt8(ascii: " "), count: 65 * 1024) + payload(review.documentId)
            #expect(try await harness.api.send(.POST, "/document/update", body: huge, headers: harness.signedHeaders(huge)).status == 413)
            let body = payload(review.documentId)
            let plain = harness.signedHeaders(body).map { $0.0 == "Content-Type" ? ($0.0, "text/plain") : $0 }
            #expect(try await harness.api.send(.POST, "/document/update", body: body, headers: plain).status == 415)
            #expect(try await snapshot(harness) == before)
        }
    }
}
