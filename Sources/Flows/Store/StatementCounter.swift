import Foundation
import GRDB
import Synchronization

/// Counts and times every statement of a database, from GRDB's trace.
///
/// SQLite's own profile figure is taken from the VFS clock, which ticks in milliseconds, so most statements of this
/// app would read 0. The counter times each statement itself instead, from its start event to its profile event,
/// with a monotonic clock.
///
/// A connection's own setup is left out: its `PRAGMA`s and GRDB's reads of the schema (`sqlite_master`) into the
/// connection's cache. Their number follows how many connections the pool happened to open, which depends on how
/// reads overlapped in wall time, not on what the app asked; the app's statements are the same for a seed.
final class StatementCounter: Sendable {
    private let totals = Mutex(StatementStatistics())

    /// Installs the trace on one connection; call it from `Configuration.prepareDatabase`.
    func install(on db: Database) {
        // A connection runs one statement at a time, and calls its trace on that statement's thread.
        let started = StatementStart()
        db.trace(options: [.statement, .profile]) { [self] event in
            switch event {
            case .statement:
                started.instant = .now
            case .profile(let statement, _):
                let elapsed = started.instant.map { $0.duration(to: .now) } ?? .zero
                started.instant = nil
                guard !Self.isConnectionSetup(statement.sql) else { return }
                self.totals.withLock { totals in
                    totals.statements += 1
                    totals.totalDuration += elapsed
                }
            }
        }
    }

    var snapshot: StatementStatistics { totals.withLock { $0 } }

    /// A pragma, or a read of the schema into a connection's cache.
    static func isConnectionSetup(_ sql: String) -> Bool {
        sql.hasPrefix("PRAGMA") || sql.contains("sqlite_master")
    }
}

/// When the statement now running on one connection started.
private final class StatementStart: @unchecked Sendable {
    var instant: ContinuousClock.Instant?
}
