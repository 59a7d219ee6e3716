import Foundation
import GRDB
import Synchronization

/// Counts and times every statement of a database, from GRDB's profiling trace.
final class StatementCounter: Sendable {
    private let totals = Mutex(StatementStatistics())

    /// Installs the trace on one connection; call it from `Configuration.prepareDatabase`.
    func install(on db: Database) {
        db.trace(options: .profile) { [self] event in
            guard case .profile(_, let duration) = event else { return }
            self.totals.withLock { totals in
                totals.statements += 1
                totals.totalDuration += .seconds(duration)
            }
        }
    }

    var snapshot: StatementStatistics { totals.withLock { $0 } }
}
