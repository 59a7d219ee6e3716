import Foundation
import PostgresNIO
import TestSupport
import Testing

@testable import Flows

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

    @Test func aStatementTheServerCutsOffCountsAsUnavailableAndThePoolReconnects() async throws {
        let location = try #require(TestPostgres.freshSchema())
        try await PostgresReviewStore.withStore(at: location, resetSchema: true, logger: .quiet) { (store: PostgresReviewStore) async throws in
            let (pids, announce) = AsyncStream.makeStream(of: Int32.self)
            async let cutOff: Void = store.leased { connection in
                let rows = try await connection.query("SELECT pg_backend_pid()", logger: .quiet).collect()
                announce.yield(try rows[0].decode(Int32.self))
                _ = try await connection.query("SELECT pg_sleep(60)", logger: .quiet).collect()
            }
            var next = pids.makeAsyncIterator()
            let pid = try #require(await next.next())
            // What `pg_ctl stop -m fast` does to every connection: the server ends the backend under its statement.
            _ = try await store.client.query("SELECT pg_terminate_backend(\(pid))").collect()
            let outcome: (any Error)?
            do {
                try await cutOff
                outcome = nil
            } catch {
                outcome = error
            }
            let error = try #require(outcome, "the statement was cut off")
            #expect(StoreUnavailable.describes(error), "\(String(reflecting: error))")
            // The pool replaces the connection by itself: the next step works, with no new store.
            _ = try await store.recordSubmission(
                SubmissionIntent(documentUrl: "https://x.test/a"),
                response: .init(agentId: "agent_1", documentId: "doc_1", documentStatus: .pendingReview)
            )
            #expect(try await store.reviews(status: nil, limit: 10).count == 1)
        }
    }

    /// A statement sent on a connection whose channel has already closed: PostgresNIO drops its write unseen, so
    /// without the store's guard it would wait forever. This is where a transaction's `ROLLBACK` lands when the
    /// server stops under its statement (`pg_ctl stop -m fast`).
    @Test(.timeLimit(.minutes(1))) func aStatementOnAConnectionThatHasClosedFailsInsteadOfWaitingForever() async throws {
        let location = try #require(TestPostgres.freshSchema())
        try await PostgresReviewStore.withStore(at: location, resetSchema: true, logger: .quiet) { (store: PostgresReviewStore) async throws in
            let outcome: (any Error)?
            do {
                try await store.transaction { connection in
                    let pid = try await store.run("SELECT pg_backend_pid()", on: connection)[0].decode(Int32.self)
                    // Another pooled connection ends this one's backend; wait until its channel has closed.
                    _ = try await store.client.query("SELECT pg_terminate_backend(\(pid))").collect()
                    try await connection.closeFuture.get()
                    _ = try await store.run("SELECT 1", on: connection)
                }
                outcome = nil
            } catch {
                outcome = error
            }
            let error = try #require(outcome, "a statement on a closed connection cannot succeed")
            #expect(StoreUnavailable.describes(error), "\(String(reflecting: error))")
            // The transaction's rollback on the same closed connection failed at once too: the store answered, and
            // the pool goes on with another connection.
            #expect(try await store.reviews(status: nil, limit: 10).isEmpty)
        }
    }

    /// What a step that has waited 2 s for a pooled connection asks to know whether the server is gone.
    @Test func theProbeTellsAServerThatRefusesConnectionsFromOneThatAccepts() async throws {
        let location = try #require(TestPostgres.freshSchema())
        #expect(await ServerProbe(host: location.host, port: location.port).acceptsConnections())
        #expect(await !ServerProbe(host: location.host, port: 9).acceptsConnections(), "the discard port: nothing listens there")
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
