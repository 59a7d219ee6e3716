import Foundation
import GRDB
import HelpDeskAPI

/// Why a database file could not be opened as asked.
public enum SQLiteReviewStoreError: Error, CustomStringConvertible {
    case hasDocumentIdIndex(path: String)

    public var description: String {
        switch self {
        case .hasDocumentIdIndex(let path):
            "\(path) already has the document_id index; open it with the index, or use a new file to measure without it"
        }
    }
}

/// The reviews in SQLite through GRDB: a `DatabasePool` in WAL mode with `synchronous=NORMAL` (SQLite's default
/// is FULL even in WAL) and a busy timeout, every statement counted and timed.
///
/// SQLite runs one write transaction at a time, which is what makes each ``ReviewStore`` step atomic against the
/// others: a webhook that beats our insert either finds the row or parks its verdict before the insert looks for it.
/// Concurrent writes share transactions (``GroupCommit``): each step still commits before it returns, with
/// `synchronous=NORMAL`'s durability, but a hundred concurrent webhooks cost a few commits instead of a hundred.
public final class SQLiteReviewStore: ReviewStore, StoreMeasurement {
    /// Where the write-ahead log is checkpointed once it holds 1,000 pages.
    public enum Checkpoints: Sendable {
        /// On a queue and a connection of its own, beside the writer (``WALCheckpointer``): no commit waits for it.
        case besideTheWriter
        /// In the commit that takes the log past 1,000 pages, by SQLite itself (its automatic checkpoint): the
        /// same work, always at the same point of a sequence of writes, for a measurement that must count it
        /// identically each time.
        case inTheCommit
    }

    /// Whether the store has the `document_id` index.
    public typealias IndexMode = StoreIndexMode

    /// The database, for measurement tools that time raw statements (the DB cost sweep).
    public let pool: DatabasePool
    private let counter: StatementCounter
    /// Checkpoints the log beside the writer (``WALCheckpointer``).
    let checkpointer: WALCheckpointer
    let wallClock: @Sendable () -> Date
    public let indexMode: IndexMode
    /// Every write of the hot path goes through here, so concurrent ones share a transaction.
    let writes: GroupCommit<StoreWrite, StoreWriteOutcome>

    /// Opens (creating if needed) and migrates a database file.
    /// - Parameters:
    ///   - path: The database file; `-wal` and `-shm` files sit beside it.
    ///   - indexMode: Migrate with or without the `document_id` index. A file that has the index cannot be opened
    ///     without it: that throws ``SQLiteReviewStoreError/hasDocumentIdIndex(path:)``.
    ///   - wallClock: The time written to `created_at` and `updated_at`.
    ///   - checkpoints: Where the log is checkpointed.
    public init(
        path: String, indexMode: IndexMode = .withIndex, wallClock: @escaping @Sendable () -> Date = { Date() },
        checkpoints: Checkpoints = .besideTheWriter
    ) throws {
        let counter = StatementCounter()
        let checkpointer = WALCheckpointer(path: path)
        let besideTheWriter = checkpoints == .besideTheWriter
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // 16 MiB of page cache per connection (SQLite's default is 2 MiB): the receiver's pages stay in memory.
            try db.execute(sql: "PRAGMA cache_size = -16384")
            counter.install(on: db, checkpointer: besideTheWriter ? checkpointer : nil)
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        self.pool = pool
        self.writes = GroupCommit(label: "async-flows.sqlite-writes") { writes in
            pool.writeWithoutTransaction { db in Self.flush(writes, in: db, at: wallClock()) }
        }
        self.counter = counter
        self.checkpointer = checkpointer
        self.wallClock = wallClock
        self.indexMode = indexMode
        if indexMode == .withoutIndex {
            let applied = try pool.read { db in try ReviewMigrations.migrator().appliedIdentifiers(db) }
            if applied.contains(ReviewMigrations.documentIdIndex) { throw SQLiteReviewStoreError.hasDocumentIdIndex(path: path) }
        }
        try ReviewMigrations.migrator(withDocumentIdIndex: indexMode == .withIndex).migrate(pool)
    }

    public var backendName: String { "sqlite" }

    public func statementStatistics() -> StatementStatistics {
        counter.snapshot
    }

    /// Transactions the group commit has made, and the writes they held.
    public var groupCommitStatistics: (batches: Int, writes: Int) { writes.statistics }

    public func receiverUpdatePlan() async throws -> String {
        // Read on the writer: a pooled reader may still hold the plan from before an index was created.
        try await pool.write { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + ReceiverUpdate.sql, arguments: ReceiverUpdate.sampleArguments)
                .map { $0["detail"] as String? ?? "" }
                .joined(separator: "; ")
        }
    }

    public func tallyStatuses<Tally: Sendable>(
        into initial: Tally,
        _ combine: @escaping @Sendable (inout Tally, String, DocumentStatus) -> Void
    ) async throws -> Tally {
        try await pool.read { db in
            var tally = initial
            let rows = try Row.fetchCursor(db, sql: #"SELECT "document_id", "document_status" FROM "document_reviews""#)
            while let row = try rows.next() {
                combine(&tally, try row.decode(atIndex: 0), try row.decode(atIndex: 1))
            }
            return tally
        }
    }

    public func review(documentId: String) async throws -> Review? {
        try await pool.read { db in
            try Review.filter(Review.Columns.documentId == documentId).fetchOne(db)
        }
    }

    public func reviews(status: DocumentStatus?, limit: Int) async throws -> [Review] {
        try await pool.read { db in
            var request = Review.order(Review.Columns.id.desc).limit(limit)
            if let status { request = request.filter(Review.Columns.documentStatus == status) }
            return try request.fetchAll(db)
        }
    }

    public func pendingReviews(createdBefore: Date, limit: Int) async throws -> [Review] {
        try await pool.read { db in
            try Review
                .filter(Review.Columns.documentStatus == DocumentStatus.pendingReview && Review.Columns.createdAt <= createdBefore)
                .order(Review.Columns.id)
                .limit(limit)
                .fetchAll(db)
        }
    }

    public func eventCursor(named name: String) async throws -> String? {
        try await pool.read { db in try EventCursorRecord.fetchOne(db, key: name)?.cursor }
    }
}

/// The receiver's update, written out so the DB-cost benchmark and the query plan measure exactly what it runs: the
/// pending row of the document takes the verdict.
///
/// It has no `RETURNING` clause: SQLite builds an ephemeral table for one, with a pager whose memory is freed after every
/// statement, and under load that churn cost more than the separate read of the updated row.
public enum ReceiverUpdate {
    public static let sql = """
        UPDATE "document_reviews" SET "document_status" = ?, "updated_at" = ? \
        WHERE ("document_id" = ?) AND ("document_status" = ?)
        """
    static let sampleArguments: StatementArguments = ["ACCEPTED", "2026-01-01 00:00:00.000", "doc_0", "PENDING_REVIEW"]
}
