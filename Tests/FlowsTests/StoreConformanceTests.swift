import Flows
import Foundation
import ServerSupport
import TestSupport
import Testing

/// The store conformance suite against every backend: SQLite always, PostgreSQL whenever one is reachable (see
/// ``TestPostgres``; without one these tests are skipped with a message that says how to run them).
struct StoreConformanceTests {
    @Test(arguments: StoreConformance.all)
    func sqlite(_ behaviour: StoreConformance) async throws {
        try await withTemporaryStore { store, path in
            try await behaviour.run(on: store) { body in try await body(try SQLiteReviewStore(path: path)) }
        }
    }

    @Test(.enabled(if: TestPostgres.location != nil, Comment(rawValue: TestPostgres.unavailable ?? "")), arguments: StoreConformance.all)
    func postgres(_ behaviour: StoreConformance) async throws {
        let location = try #require(TestPostgres.freshSchema())
        try await PostgresReviewStore.withStore(at: location, resetSchema: true, logger: .quiet) { store in
            try await behaviour.run(on: store) { body in
                try await PostgresReviewStore.withStore(at: location, logger: .quiet) { reopened in try await body(reopened) }
            }
        }
    }
}
