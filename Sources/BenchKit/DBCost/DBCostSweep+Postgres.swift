import Flows
import Foundation
import Logging
import PostgresNIO
import SimulationSupport

extension DBCostSweep {
    /// The sweep on PostgreSQL: each table size in a schema of its own (`dbcost_<rows>`, dropped first and after),
    /// loaded by one `INSERT ... SELECT` over `generate_series` and `ANALYZE`d, then the receiver's update
    /// (``PostgresReceiverUpdate``, the statement the store runs) timed on the client, round trip included, without
    /// the index and then with it. A cell's updates run in one transaction that is rolled back, as on SQLite.
    public func run(postgres location: PostgresLocation, logger: Logger, progress: @Sendable (String) -> Void = { _ in }) async throws -> [DBCostCell] {
        var cells: [DBCostCell] = []
        for count in rows {
            var sized = location
            sized.schema = "dbcost_\(count)"
            progress("loading \(count) rows into PostgreSQL")
            let scan = try await PostgresReviewStore.withStore(at: sized, indexMode: .withoutIndex, resetSchema: true, logger: logger) { store in
                try await PostgresPendingRows.load(count, into: store, logger: logger)
                progress("timing the update at \(count) rows without the index (PostgreSQL)")
                return try await measure(store, rows: count, indexed: false, logger: logger)
            }
            var search = try await PostgresReviewStore.withStore(at: sized, indexMode: .withIndex, logger: logger) { store in
                try await store.client.query("ANALYZE \(unescaped: store.qualifiedReviewsTable)", logger: logger)
                progress("timing the update at \(count) rows with the index (PostgreSQL)")
                let cell = try await measure(store, rows: count, indexed: true, logger: logger)
                try await store.client.query("DROP SCHEMA \(unescaped: store.quotedSchema) CASCADE", logger: logger)
                return cell
            }
            search.speedup = search.p50Microseconds > 0 ? scan.p50Microseconds / search.p50Microseconds : 0
            cells.append(scan)
            cells.append(search)
        }
        return cells
    }

    private func measure(_ store: PostgresReviewStore, rows: Int, indexed: Bool, logger: Logger) async throws -> DBCostCell {
        let plan = try await store.receiverUpdatePlan()
        var random = SeededGenerator(seed: seed, stream: "dbcost", index: UInt64(rows))
        let targets = (0..<maximumStatements).map { _ in PendingRows.documentId(Int(random.next() % UInt64(rows))) }
        let schema = store.location.schema
        let durations = try await store.client.withConnection { connection -> [Duration] in
            var durations: [Duration] = []
            try await connection.query("BEGIN", logger: logger)
            let clock = ContinuousClock()
            let started = clock.now
            while continues(durations.count, since: started) {
                let before = clock.now
                _ = try await connection.query(PostgresReceiverUpdate.query(schema: schema, documentId: targets[durations.count]), logger: logger).collect()
                durations.append(before.duration(to: clock.now))
            }
            try await connection.query("ROLLBACK", logger: logger)
            return durations
        }
        return DBCostCell(backend: store.backendName, rows: rows, indexed: indexed, durations: durations, plan: plan)
    }
}

/// ``PendingRows`` in PostgreSQL: `doc_0` ... `doc_<count - 1>`, pending, made by the server in one statement.
enum PostgresPendingRows {
    static func load(_ count: Int, into store: PostgresReviewStore, logger: Logger) async throws {
        try await store.client.query("""
            INSERT INTO \(unescaped: store.qualifiedReviewsTable) (document_url, agent_id, document_id, document_status, created_at, updated_at) \
            SELECT 'https://example.com/' || n || '.pdf', 'agent_1', 'doc_' || n, 'PENDING_REVIEW', now(), now() \
            FROM generate_series(0, \(count - 1)) AS n
            """, logger: logger)
        let loaded = try await store.client.query(
            "SELECT COUNT(*) FROM \(unescaped: store.qualifiedReviewsTable) WHERE document_id = \(PendingRows.documentId(count - 1))",
            logger: logger
        ).collect().first?.decode(Int64.self)
        guard loaded == 1 else { throw BenchError("the PostgreSQL table was not loaded with \(count) rows") }
    }
}
