import Foundation
import GRDB
import HelpDeskAPI
import Testing

@testable import Flows

struct StoreTests {
    private func submitted(_ id: String) -> SubmitDocumentResponse {
        SubmitDocumentResponse(agentId: "agent_1", documentId: id, documentStatus: .pendingReview)
    }

    @Test func theIndexMigrationTurnsTheReceiverUpdateFromAScanIntoASearch() async throws {
        try await withTemporaryStore(indexMode: .withoutIndex) { store, path in
            let plan = try await store.receiverUpdatePlan()
            #expect(plan.contains("SCAN document_reviews"), "\(plan)")
            #expect(try await store.pool.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'document_reviews'") }.isEmpty)

            let indexed = try SQLiteReviewStore(path: path, indexMode: .withIndex)
            let indexedPlan = try await indexed.receiverUpdatePlan()
            #expect(indexedPlan.contains("SEARCH document_reviews USING INDEX document_reviews_on_document_id (document_id=?)"), "\(indexedPlan)")
            #expect(try await indexed.openIntents(limit: 10).isEmpty, "every later step is there too")

            #expect(throws: SQLiteReviewStoreError.self, "a file with the index cannot be measured without it") {
                try SQLiteReviewStore(path: path, indexMode: .withoutIndex)
            }
        }
    }

    @Test func anIntentLastsFromBeforeTheSubmissionUntilItsRowIsInserted() async throws {
        try await withTemporaryStore { store, _ in
            let first = SubmissionIntent(documentUrl: "https://x.test/a", callbackURL: "http://127.0.0.1:1/document/update", callbackStyle: .thin)
            let second = SubmissionIntent(documentUrl: "https://x.test/b")
            try await store.recordIntent(first)
            try await store.recordIntent(second)
            #expect(try await store.openIntents(limit: 10) == [first, second], "oldest first, callback kept as sent")

            let recorded = try await store.recordSubmission(first, response: submitted("doc_1"))
            #expect(recorded.inserted)
            #expect(recorded.review.documentUrl == "https://x.test/a")
            #expect(try await store.openIntents(limit: 10) == [second])

            let again = try await store.recordSubmission(first, response: submitted("doc_1"))
            #expect(!again.inserted, "the same submission recorded twice keeps one row")
            #expect(again.review.id == recorded.review.id)
            #expect(try await store.reviews(status: nil, limit: 10).count == 1)

            try await store.discardIntent(key: second.key)
            #expect(try await store.openIntents(limit: 10).isEmpty)
        }
    }

    @Test func theStoreRunsInWALWithSynchronousNormal() async throws {
        try await withTemporaryStore { store, _ in
            let (journal, synchronous) = try await store.pool.write { db in
                (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
            }
            #expect(journal == "wal")
            #expect(synchronous == 1, "NORMAL")
        }
    }

    @Test func aVerdictMovesAPendingRowOnceAndOnlyOnce() async throws {
        try await withTemporaryStore { store, _ in
            let review = try await store.recordSubmission(SubmissionIntent(documentUrl: "https://x.test/a"), response: submitted("doc_1")).review
            #expect(review.id != nil)
            #expect(review.documentStatus == .pendingReview)

            let first = try await store.apply(Verdict(documentId: "doc_1", status: .accepted, webhookId: "msg_1"))
            guard case .applied(let applied) = first else { Issue.record("expected applied, got \(first)"); return }
            #expect(applied.documentStatus == .accepted)
            #expect(try await store.apply(Verdict(documentId: "doc_1", status: .accepted, webhookId: "msg_1")) == .duplicateDelivery)
            #expect(try await store.apply(Verdict(documentId: "doc_1", status: .accepted, webhookId: "msg_2")) == .alreadyApplied)
            #expect(try await store.apply(Verdict(documentId: "doc_1", status: .accepted)) == .alreadyApplied)
        }
    }

    @Test func aConflictingVerdictChangesNothingNotEvenTheDeduplicationTable() async throws {
        try await withTemporaryStore { store, _ in
            _ = try await store.recordSubmission(SubmissionIntent(documentUrl: "https://x.test/a"), response: submitted("doc_1")).review
            _ = try await store.apply(Verdict(documentId: "doc_1", status: .declined, webhookId: "msg_1"))
            let before = try await store.review(documentId: "doc_1")
            #expect(try await store.apply(Verdict(documentId: "doc_1", status: .accepted, webhookId: "msg_2")) == .conflict(existing: .declined))
            #expect(try await store.review(documentId: "doc_1") == before)
            let seen = try await store.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM received_webhooks") }
            #expect(seen == 1)
        }
    }

    @Test func aVerdictThatBeatsTheInsertIsParkedThenAppliedByIt() async throws {
        try await withTemporaryStore { store, _ in
            #expect(try await store.apply(Verdict(documentId: "doc_early", status: .declined, webhookId: "msg_1")) == .parked)
            #expect(try await store.apply(Verdict(documentId: "doc_early", status: .declined, webhookId: "msg_1")) == .duplicateDelivery)
            #expect(try await store.apply(Verdict(documentId: "doc_early", status: .accepted)) == .conflict(existing: .declined))
            let review = try await store.recordSubmission(SubmissionIntent(documentUrl: "https://x.test/a"), response: submitted("doc_early")).review
            #expect(review.documentStatus == .declined)
            #expect(try await store.review(documentId: "doc_early")?.documentStatus == .declined)
            let parked = try await store.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM early_verdicts") }
            #expect(parked == 0)
        }
    }

    @Test func eventsAndTheirCursorLandTogetherAndSurviveAReopen() async throws {
        try await withTemporaryStore { store, path in
            _ = try await store.recordSubmission(SubmissionIntent(documentUrl: "https://x.test/a"), response: submitted("doc_1")).review
            _ = try await store.recordSubmission(SubmissionIntent(documentUrl: "https://x.test/b"), response: submitted("doc_2")).review
            let events = [
                DocumentEvent(id: "evt_1", documentId: "doc_1", agentId: "agent_1", documentStatus: .accepted, version: 2, occurredAt: Date()),
                DocumentEvent(id: "evt_2", documentId: "doc_other", agentId: "agent_1", documentStatus: .declined, version: 2, occurredAt: Date()),
            ]
            #expect(try await store.eventCursor(named: "feed") == nil)
            let outcomes = try await store.apply(events: events, advancingCursor: "feed", to: "evt_2")
            #expect(outcomes.count == 2)
            #expect(try await store.eventCursor(named: "feed") == "evt_2")

            let reopened = try SQLiteReviewStore(path: path)
            #expect(try await reopened.eventCursor(named: "feed") == "evt_2")
            #expect(try await reopened.review(documentId: "doc_1")?.documentStatus == .accepted)
            #expect(try await reopened.pendingReviews(createdBefore: Date(), limit: 10).map(\.documentId) == ["doc_2"])
        }
    }

    @Test func thinNotificationsAreKeptUntilFetched() async throws {
        try await withTemporaryStore { store, _ in
            _ = try await store.recordSubmission(SubmissionIntent(documentUrl: "https://x.test/a"), response: submitted("doc_1")).review
            #expect(try await store.recordThinNotification(documentId: "doc_1", webhookId: "msg_1"))
            #expect(try await !store.recordThinNotification(documentId: "doc_1", webhookId: "msg_1"))
            #expect(try await store.pendingThinNotifications(limit: 10) == ["doc_1"])
            guard case .applied = try await store.applyFetched(Verdict(documentId: "doc_1", status: .accepted)) else {
                Issue.record("expected the fetched verdict to apply")
                return
            }
            #expect(try await store.pendingThinNotifications(limit: 10).isEmpty)
        }
    }

    @Test func everyStatementIsCountedAndTimed() async throws {
        try await withTemporaryStore { store, _ in
            let before = store.statementStatistics()
            _ = try await store.recordSubmission(SubmissionIntent(documentUrl: "https://x.test/a"), response: submitted("doc_1")).review
            _ = try await store.review(documentId: "doc_1")
            let after = store.statementStatistics() - before
            #expect(after.statements >= 3, "begin/insert/commit and a select")
            #expect(after.totalDuration > .zero)
        }
    }

    @Test func theBenchmarkedUpdateIsTheSQLTheReceiverRuns() async throws {
        try await withTemporaryStore { store, _ in
            _ = try await store.recordSubmission(SubmissionIntent(documentUrl: "https://x.test/a"), response: submitted("doc_1")).review
            let statements = try await store.pool.write { db -> [String] in
                let traced = TracedStatements()
                db.trace { traced.append($0.description) }
                _ = try SQLiteReviewStore.markDecided(Verdict(documentId: "doc_1", status: .accepted), in: db, timestamp: "2026-01-01 00:00:00.000")
                db.trace(options: [], nil)
                return traced.all
            }
            #expect(statements.contains(ReceiverUpdate.sql), "\(statements)")
        }
    }
}

/// Statement texts collected from a trace.
final class TracedStatements: @unchecked Sendable {
    private(set) var all: [String] = []

    func append(_ statement: String) {
        all.append(statement)
    }
}
