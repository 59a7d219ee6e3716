import GRDB
import GRDBSQLite
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts and times every statement of a database, from SQLite's own trace.
///
/// SQLite's own profile figure is taken from the VFS clock, which ticks in milliseconds, so most statements of this
/// app would read 0. The counter times each statement itself instead, from its start event to its profile event,
/// with a monotonic clock.
///
/// A connection's own setup is left out: its `PRAGMA`s and GRDB's reads of the schema (`sqlite_master`) into the
/// connection's cache. Their number follows how many connections the pool happened to open, which depends on how
/// reads overlapped in wall time, not on what the app asked; the app's statements are the same for a seed.
///
/// The trace is SQLite's `sqlite3_trace_v2` callback, read as C strings: it runs on every statement of the hot path,
/// and GRDB's `Database.trace` would build and trim a Swift `String` of the statement's SQL twice per statement.
/// Installing another trace on a connection (GRDB's `trace(options:)`) replaces this one on that connection.
final class StatementCounter: Sendable {
    private let totals = Mutex(StatementStatistics())

    /// Installs the trace on one connection; call it from `Configuration.prepareDatabase`.
    /// - Parameter checkpointer: Told the log's size after each commit, in place of SQLite's automatic checkpoint.
    func install(on db: Database, checkpointer: WALCheckpointer? = nil) {
        // Held until SQLite reports the connection closed.
        let hooks = Unmanaged.passRetained(ConnectionHooks(counter: self, checkpointer: checkpointer)).toOpaque()
        if checkpointer != nil {
            sqlite3_wal_hook(db.sqliteConnection, { context, _, _, pages in
                if let context { Unmanaged<ConnectionHooks>.fromOpaque(context).takeUnretainedValue().checkpointer?.logGrew(to: pages) }
                return SQLITE_OK
            }, hooks)
        }
        let mask = UInt32(SQLITE_TRACE_STMT | SQLITE_TRACE_PROFILE | SQLITE_TRACE_CLOSE)
        sqlite3_trace_v2(db.sqliteConnection, mask, { event, context, statement, _ in
            guard let context else { return 0 }
            let trace = Unmanaged<ConnectionHooks>.fromOpaque(context)
            switch Int32(bitPattern: event) {
            case SQLITE_TRACE_STMT:
                trace.takeUnretainedValue().started = ConnectionHooks.now()
            case SQLITE_TRACE_PROFILE:
                let connection = trace.takeUnretainedValue()
                let elapsed = connection.started.map { ConnectionHooks.now() - $0 } ?? 0
                connection.started = nil
                guard let statement, let sql = sqlite3_sql(OpaquePointer(statement)), !StatementCounter.isConnectionSetup(sql) else { return 0 }
                connection.counter.record(nanoseconds: elapsed)
            case SQLITE_TRACE_CLOSE:
                trace.release()
            default:
                break
            }
            return 0
        }, hooks)
    }

    private func record(nanoseconds: UInt64) {
        totals.withLock { totals in
            totals.statements += 1
            totals.totalDuration += .nanoseconds(nanoseconds)
        }
    }

    var snapshot: StatementStatistics { totals.withLock { $0 } }

    /// A pragma, or a read of the schema into a connection's cache (leading white space ignored).
    static func isConnectionSetup(_ sql: UnsafePointer<CChar>) -> Bool {
        var start = sql
        while isspace(Int32(start.pointee)) != 0 { start += 1 }
        return strncasecmp(start, "PRAGMA", 6) == 0 || strstr(start, "sqlite_master") != nil
    }

    static func isConnectionSetup(_ sql: String) -> Bool {
        sql.withCString { isConnectionSetup($0) }
    }
}

/// One connection's hooks: its counter, when the statement now running on it started, and its store's checkpointer.
/// A connection runs one statement at a time and calls its hooks on that statement's thread.
private final class ConnectionHooks: @unchecked Sendable {
    let counter: StatementCounter
    let checkpointer: WALCheckpointer?
    var started: UInt64?

    init(counter: StatementCounter, checkpointer: WALCheckpointer?) {
        self.counter = counter
        self.checkpointer = checkpointer
    }

    /// The monotonic clock, in nanoseconds.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
