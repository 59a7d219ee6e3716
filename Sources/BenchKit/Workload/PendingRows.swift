import Flows
import GRDB

/// A table of pending reviews made in bulk, for the measurements that need a big `document_reviews`: the DB cost
/// sweep and the receiver load test. Row `n` has the document id `doc_<n>`.
enum PendingRows {
    /// The document id of row `index`.
    static func documentId(_ index: Int) -> String { "doc_\(index)" }

    /// Loads `count` pending rows in one transaction with one prepared statement that SQLite fills from a
    /// counter, so a million rows take about a second instead of a million bound executions.
    static func load(_ count: Int, into store: SQLiteReviewStore) async throws {
        try await store.pool.write { db in
            try db.execute(
                sql: """
                    WITH RECURSIVE counter(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM counter WHERE n + 1 < ?)
                    INSERT INTO document_reviews (document_url, agent_id, document_id, document_status, created_at, updated_at)
                    SELECT 'https://example.com/' || n || '.pdf', 'agent_1', 'doc_' || n, 'PENDING_REVIEW',
                           '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000'
                    FROM counter
                    """,
                arguments: [count]
            )
            let loaded = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM document_reviews WHERE document_id = ?", arguments: [documentId(count - 1)])
            guard loaded == 1 else { throw BenchError("the table was not loaded with \(count) rows") }
        }
    }
}
