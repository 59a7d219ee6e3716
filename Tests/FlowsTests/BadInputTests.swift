import Foundation
import GRDB
import HelpDeskAPI
import NIOHTTP1
import TestSupport
import Testing

@testable import Flows
@testable import MockHelpDesk

/// A table of bad requests against the receiver, the Help Desk and our API. Each must get its documented answer
/// (never a 5xx) with a JSON error, leave every row of `document_reviews` and every Help Desk document as it was,
/// and leave the server serving.
@Suite(.timeLimit(.minutes(2)))
struct BadInputTests {
    enum Target: String, Sendable {
        case receiver, helpDesk, api
    }

    /// How a receiver case signs its body.
    enum Signing: Sendable {
        case valid
        case none
        /// The valid headers, transformed.
        case altered(@Sendable ([(String, String)], FlowHarness) -> [(String, String)])
        /// Signed as sent at this many seconds from now.
        case at(Double)
        /// Signed over another body than the one sent.
        case otherBody(Data)
    }

    struct Case: Sendable {
        var name: String
        var target: Target
        var method: HTTPMethod = .POST
        var path: String
        var body: Data?
        var contentType: String? = "application/json"
        var headers: [(String, String)] = []
        var signing: Signing = .none
        var status: Int
        var field: String?
    }

    @Test func thereAreAtLeastAHundredCases() {
        #expect(Self.receiverCases.count + Self.helpDeskCases.count + Self.apiCases.count >= 100)
    }

    @Test func everyBadRequestGetsItsDocumentedAnswerAndChangesNothing() async throws {
        try await FlowHarness.run(strategy: .webhook, configureDesk: { $0.reviewDelay = .uniform(.seconds(1000) ... .seconds(1000)) }) { harness in
            let pending = try await harness.submit("https://example.com/pending.pdf")
            let decided = try await harness.submit("https://example.com/decided.pdf")
            let decline = Self.verdictBody("DECLINED", decided.documentId)
            let settled = try await harness.api.send(.POST, "/document/update", body: decline, headers: harness.signedHeaders(decline))
            try #require(settled.status == 200)
            let desk = TestHTTPClient(baseURL: harness.deskURL, client: harness.api.client)

            for testCase in Self.receiverCases + Self.helpDeskCases + Self.apiCases {
                let rowsBefore = try await Self.rows(harness)
                let documentsBefore = harness.desk.stats().documents.submitted
                let response = try await send(testCase, harness: harness, desk: desk, pending: pending.documentId, decided: decided.documentId)
                let label = Comment(rawValue: "\(testCase.target.rawValue): \(testCase.name)")
                #expect(response.status == testCase.status, "\(label) → \(response.status) \(response.text.prefix(200))")
                #expect(response.status < 500, label)
                if response.status >= 400 {
                    // Each API's errors decode as its own contract type: the Help Desk's ErrorBody, our AppErrorBody.
                    let error: (error: String, field: String?)? = testCase.target == .helpDesk
                        ? (try? response.error).map { ($0.error, $0.field) }
                        : (try? response.decode(AppErrorBody.self)).map { ($0.error, $0.field) }
                    #expect(error?.error.isEmpty == false, "\(label): no JSON error")
                    if let field = testCase.field { #expect(error?.field == field, label) }
                }
                #expect(try await Self.rows(harness) == rowsBefore, "\(label): document_reviews changed")
                #expect(harness.desk.stats().documents.submitted == documentsBefore, "\(label): a Help Desk document was created")
                #expect(try await harness.api.send(.GET, "/reviews?limit=1").status == 200, "\(label): our app stopped serving")
                #expect(try await desk.send(.GET, "/_stats").status == 200, "\(label): the Help Desk stopped serving")
            }
            #expect(try await harness.store.review(documentId: pending.documentId)?.documentStatus == .pendingReview)
            #expect(try await harness.store.review(documentId: decided.documentId)?.documentStatus == .declined)
        }
    }

    @Test func aReplayedDeliveryIsAcknowledgedAndChangesNothing() async throws {
        try await FlowHarness.run(strategy: .webhook, configureDesk: { $0.reviewDelay = .uniform(.seconds(1000) ... .seconds(1000)) }) { harness in
            let review = try await harness.submit()
            let body = Self.verdictBody("ACCEPTED", review.documentId)
            let headers = harness.signedHeaders(body, id: "msg_once")
            #expect(try await harness.api.send(.POST, "/document/update", body: body, headers: headers).status == 200)
            let before = try await Self.rows(harness)
            let replayed = try await harness.api.send(.POST, "/document/update", body: body, headers: headers)
            #expect(replayed.status == 200)
            #expect(replayed.text.contains("duplicate"))
            #expect(try await Self.rows(harness) == before)
        }
    }

    @Test func unknownFieldsInAWebhookAreIgnoredAsStandardWebhooksAdvises() async throws {
        try await FlowHarness.run(strategy: .webhook, configureDesk: { $0.reviewDelay = .uniform(.seconds(1000) ... .seconds(1000)) }) { harness in
            let review = try await harness.submit()
            let body = Self.json(#"{"agentId": "agent_1", "documentId": "\#(review.documentId)", "documentStatus": "ACCEPTED", "reviewedBy": "Ada"}"#)
            #expect(try await harness.api.send(.POST, "/document/update", body: body, headers: harness.signedHeaders(body)).status == 200)
            #expect(try await harness.store.review(documentId: review.documentId)?.documentStatus == .accepted)
        }
    }

    private static func verdictBody(_ status: String, _ documentId: String) -> Data {
        verdict(status, documentId: documentId)
    }

    /// Every row of `document_reviews`, in full.
    private static func rows(_ harness: FlowHarness) async throws -> [String] {
        try await harness.store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM document_reviews ORDER BY id").map(\.description)
        }
    }

    private func send(_ testCase: Case, harness: FlowHarness, desk: TestHTTPClient, pending: String, decided: String) async throws -> TestResponse {
        func fill(_ data: Data?) -> Data? {
            guard let data, let text = String(data: data, encoding: .utf8) else { return data }
            return Data(text.replacingOccurrences(of: "PENDING_DOCUMENT", with: pending).replacingOccurrences(of: "DECIDED_DOCUMENT", with: decided).utf8)
        }
        let body = fill(testCase.body)
        let path = testCase.path.replacingOccurrences(of: "PENDING_DOCUMENT", with: pending)
        var headers = testCase.headers
        if let contentType = testCase.contentType { headers.append(("Content-Type", contentType)) }
        let signed = harness.signedHeaders(body ?? Data()).filter { $0.0 != "Content-Type" }
        switch testCase.signing {
        case .none: break
        case .valid: headers += signed
        case .altered(let alter): headers += alter(signed, harness)
        case .at(let seconds):
            headers += harness.signedHeaders(body ?? Data(), at: harness.wallClock().addingTimeInterval(seconds)).filter { $0.0 != "Content-Type" }
        case .otherBody(let other):
            headers += harness.signedHeaders(fill(other) ?? Data()).filter { $0.0 != "Content-Type" }
        }
        let client = testCase.target == .helpDesk ? desk : harness.api
        return try await client.send(testCase.method, path, body: body, headers: headers)
    }
}
