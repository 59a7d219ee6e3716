import Flows
import Foundation
import TestSupport
import Testing

/// What only the PostgreSQL store does: its migrations with and without the index, its plans, its statement timing,
/// its errors. The behaviour every store promises runs in ``StoreConformanceTests``.
@Suite(.enabled(if: TestPostgres.location != nil, Comment(rawValue: TestPostgres.unavailable ?? "")))
struct PostgresStoreTests {
    @Test func theIndexStepTurnsTheUpdateFromASequentialScanIntoAnIndexScan() async throws {
        let location = try #require(TestPostgres.freshSchema())
        let scan = try await PostgresReviewStore.withStore(at: location, indexMode: .withoutIndex, resetSchema: true, logger: .quiet) { store in
            try await store.receiverUpdatePlan()
        }
        #expect(scan.contains("Seq Scan on document_reviews"), "\(scan)")
        let search = try await PostgresReviewStore.withStore(at: location, indexMode: .withIndex, logger: .quiet) { store in
            // An empty table may still be scanned: the planner chooses by the table's size. Forbid scans to see the index is usable.
            try await store.client.query("SET enable_seqscan = off")
            return try await store.receiverUpdatePlan()
        }
        #expect(search.contains("document_reviews_on_document_id"), "\(search)")
        await #expect(throws: PostgresStoreError.self, "a schema with the index cannot be measured without it") {
            try await PostgresReviewStore.withStore(at: location, indexMode: .withoutIndex, logger: .quiet) { _ in }
        }
    }

    @Test func everyStatementIsCountedAndTimedOnTheClient() async throws {
        let location = try #require(TestPostgres.freshSchema())
        try await PostgresReviewStore.withStore(at: location, resetSchema: true, logger: .quiet) { (store: PostgresReviewStore) async throws in
            let before = store.statementStatistics()
            _ = try await store.recordSubmission(
                SubmissionIntent(documentUrl: "https://x.test/a"),
                response: .init(agentId: "agent_1", documentId: "doc_1", documentStatus: .pendingReview)
            )
            _ = try await store.review(documentId: "doc_1")
            let after = store.statementStatistics() - before
            #expect(after.statements >= 5, "the lock, the intent, the parked verdict, the insert, and a select")
            #expect(after.totalDuration > .zero)
        }
    }

    @Test func anUnreachableServerIsNamedInTheError() async throws {
        var location = try #require(TestPostgres.freshSchema())
        location.port = 9  // the discard port: nothing listens there
        let error = await #expect(throws: PostgresStoreError.self) {
            try await PostgresReviewStore.withStore(at: location, logger: .quiet) { _ in }
        }
        #expect(error?.description.contains("cannot use postgres://") == true, "\(error?.description ?? "")")
    }

    @Test func theSchemaIsOneForEachRunAndAResetEmptiesIt() async throws {
        let location = try #require(TestPostgres.freshSchema())
        try await PostgresReviewStore.withStore(at: location, resetSchema: true, logger: .quiet) { (store: PostgresReviewStore) async throws in
            _ = try await store.recordSubmission(SubmissionIntent(documentUrl: "https://x.test/a"), response: .init(agentId: "a", documentId: "doc_1", documentStatus: .pendingReview))
        }
        try await PostgresReviewStore.withStore(at: location, logger: .quiet) { (store: PostgresReviewStore) async throws in
            #expect(try await store.reviews(status: nil, limit: 10).count == 1, "reopened, the row is there")
        }
        try await PostgresReviewStore.withStore(at: location, resetSchema: true, logger: .quiet) { (store: PostgresReviewStore) async throws in
            #expect(try await store.reviews(status: nil, limit: 10).isEmpty, "reset, the schema starts empty")
        }
    }
}
