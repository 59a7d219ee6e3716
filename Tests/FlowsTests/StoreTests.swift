import Foundation
import GRDB
import HelpDeskAPI
import Testing

@testable import Flows

/// What only the SQLite store does: its migrations and plans, its pragmas, its statement trace. The behaviour every
/// store promises is in ``StoreConformance``, run by ``StoreConformanceTests``.
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

    @Test func theStoreRunsInWALWithSynchronousNormal() async throws {
        try await withTemporaryStore { store, _ in
            let (journal, synchronous) = try await store.pool.write { db in
                (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
            }
            #expect(journal == "wal")
            #expect(synchronous == 1, "NORMAL")
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

    @Test func aConnectionsOwnSetupIsNotCounted() async throws {
        #expect(StatementCounter.isConnectionSetup("PRAGMA synchronous = NORMAL"))
        #expect(StatementCounter.isConnectionSetup("\n  pragma cache_size = -16384"))
        #expect(StatementCounter.isConnectionSetup("SELECT * FROM sqlite_master WHERE type = 'table'"))
        #expect(!StatementCounter.isConnectionSetup(ReceiverUpdate.sql))
        #expect(!StatementCounter.isConnectionSetup("SELECT 'PRAGMA'"))
        try await withTemporaryStore { store, _ in
            let before = store.statementStatistics()
            _ = try await store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }
            #expect(store.statementStatistics().statements == before.statements, "a pragma is setup")
            _ = try await store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM document_reviews") }
            #expect(store.statementStatistics().statements == before.statements + 1, "a query is the app's")
        }
    }

    /// Writes 1,200 rows of a page or more, each in its own commit: the log passes 1,000 pages.
    private func fillTheLog(of store: SQLiteReviewStore) async throws {
        let url = String(repeating: "u", count: 4000)
        for index in 0..<1200 {
            try await store.pool.writeWithoutTransaction { db in
                try db.execute(
                    sql: "INSERT INTO document_reviews (document_url, document_id, document_status, created_at, updated_at) VALUES (?, ?, 'PENDING_REVIEW', '', '')",
                    arguments: [url, "doc_\(index)"]
                )
            }
        }
    }

    @Test func theLogIsCheckpointedBesideTheWriterOnceItHoldsAThousandPages() async throws {
        try await withTemporaryStore { store, path in
            try await fillTheLog(of: store)
            store.checkpointer.waitForScheduled()
            #expect(store.checkpointer.checkpoints >= 1)
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
            #expect(size > 1000 * 4096, "the rows were copied into the database file: \(size) bytes")
        }
    }

    @Test func aStoreThatCheckpointsInTheCommitLeavesNothingToTheCheckpointer() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("reviews.sqlite").path
        let store = try SQLiteReviewStore(path: path, checkpoints: .inTheCommit)
        try await fillTheLog(of: store)
        // Nothing was scheduled beside the writer: SQLite's own checkpoint ran in the commit that filled the log.
        #expect(store.checkpointer.checkpoints == 0)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        #expect(size > 1000 * 4096, "the rows were copied into the database file by the time the commit returned: \(size) bytes")
        let log = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
        #expect(log < 1100 * 4200, "the log started again from its beginning instead of growing past 1,000 pages: \(log) bytes")
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
