import Synchronization

/// Counts and times the statements of a PostgreSQL store on the client: from sending each statement to reading its
/// last row, the loopback round trip included (what the app waits for, and what a server-side timer would leave out).
final class PostgresStatementCounter: Sendable {
    private let totals = Mutex(StatementStatistics())

    func record(_ elapsed: Duration) {
        totals.withLock { totals in
            totals.statements += 1
            totals.totalDuration += elapsed
        }
    }

    var snapshot: StatementStatistics { totals.withLock { $0 } }
}
