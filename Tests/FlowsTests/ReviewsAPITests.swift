import Flows
import Foundation
import HelpDeskAPI
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(1)))
struct ReviewsAPITests {
    private struct ReviewList: Decodable {
        var reviews: [Review]
    }

    @Test func submittedReviewsCanBeReadAndListedByStatus() async throws {
        try await FlowHarness.run(strategy: .pollFixed(interval: .seconds(1))) { harness in
            let first = try await harness.submit("https://example.com/a.pdf")
            let second = try await harness.submit("https://example.com/b.pdf")
            #expect(first.documentStatus == .pendingReview)
            #expect(first.documentUrl == "https://example.com/a.pdf")

            let shown = try await harness.api.send(.GET, "/reviews/\(first.documentId)")
            #expect(shown.status == 200)
            #expect(try shown.decode(Review.self) == first)

            let listed = try await harness.api.send(.GET, "/reviews?status=PENDING_REVIEW&limit=10").decode(ReviewList.self)
            #expect(listed.reviews.map(\.documentId) == [second.documentId, first.documentId], "newest first")
            #expect(try await harness.api.send(.GET, "/reviews?status=ACCEPTED").decode(ReviewList.self).reviews.isEmpty)
            #expect(try await harness.api.send(.GET, "/reviews?limit=1").decode(ReviewList.self).reviews.count == 1)
        }
    }

    @Test func aGETNeverChangesAnything() async throws {
        try await FlowHarness.run(strategy: .webhook) { harness in
            _ = try await harness.api.send(.GET, "/reviews")
            _ = try await harness.api.send(.GET, "/reviews/doc_x")
            #expect(harness.desk.stats().documents.submitted == 0)
            #expect(try await harness.store.reviews(status: nil, limit: 10).isEmpty)
        }
    }

    @Test(arguments: [
        (#"{"documentUrl": "ftp://x/a"}"#, 400, "documentUrl"),
        (#"{"documentUrl": ""}"#, 400, "documentUrl"),
        (#"{"documentUrl": 3}"#, 400, "documentUrl"),
        (#"{}"#, 400, "documentUrl"),
        (#"{"documentUrl""#, 400, nil as String?),
    ] as [(String, Int, String?)])
    func badSubmissionsAreRefusedBeforeTheHelpDeskIsCalled(body: String, status: Int, field: String?) async throws {
        try await FlowHarness.run(strategy: .webhook) { harness in
            let response = try await harness.api.send(.POST, "/reviews", body: Data(body.utf8), headers: [("Content-Type", "application/json")])
            #expect(response.status == status)
            #expect(try response.error.field == field)
            #expect(harness.desk.stats().documents.submitted == 0)
        }
    }

    @Test(arguments: ["/reviews/doc_missing", "/reviews?status=LOST", "/reviews?limit=0"])
    func badReadsAreRefusedWithAJSONError(path: String) async throws {
        try await FlowHarness.run(strategy: .webhook) { harness in
            let response = try await harness.api.send(.GET, path)
            #expect([400, 404].contains(response.status))
            #expect(try !response.error.error.isEmpty)
        }
    }

    @Test func aSubmissionRegistersTheReceiverAsTheCallbackWithTheStrategysPayload() async throws {
        try await FlowHarness.run(strategy: .webhookThin) { harness in
            _ = try await harness.submit()
            let callback = try #require(harness.app.callbackURL)
            #expect(callback.hasSuffix("/document/update"))
            #expect(callback.hasPrefix("http://127.0.0.1:"))
        }
    }
}
