import Foundation
import GRDB
import Synchronization

/// Counts and times every statement of a database, from GRDB's trace.
///
/// SQLite's own profile figure is taken from the VFS clock, which ticks in milliseconds, so most statements of this
/// app would read 0. The counter times each statement itself instead, from its start event to its profile event,
/// with a monotonic clock.
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
            case .profile:
                let elapsed = started.instant.map { $0.duration(to: .now) } ?? .zero
                started.instant = nil
                self.totals.withLock { totals in
                    totals.statements += 1
                    totals.totalDuration += elapsed
                }
            }
        }
    }

    var snapshot: StatementStatistics { totals.withLock { $0 } }
}

/// When the statement now running on one connection started.
private final class StatementStart: @unchecked Sendable {
    var instant: ContinuousClock.Instant?
}
