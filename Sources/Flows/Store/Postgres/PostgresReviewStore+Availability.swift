import Foundation
import PostgresNIO
import Synchronization

extension PostgresReviewStore {
    /// How long a step waits for a pooled connection before the database counts as unavailable. While the server is
    /// down, PostgresNIO's pool keeps a step waiting (its circuit breaker trips only after a minute); a step that
    /// gives up here answers "try again later" instead (``StoreUnavailable``), and the pool goes on reconnecting
    /// in the background, so the next step after the server's return gets a connection without a restart.
    /// Once a step has found the server unreachable (its statement failed with a connection error, or it waited in
    /// vain, or the server refused a plain TCP connection when a step had waited that long: ``ServerProbe``), every
    /// step waiting, or starting to wait, gives up after ``connectionWaitWhileUnreachable``, until a step succeeds on
    /// a connection again; a busy pool alone never makes a step wait that short.
    public static let connectionWait: Duration = .seconds(10)
    public static let connectionWaitWhileUnreachable: Duration = .seconds(2)

    /// Runs `body` in a transaction on a pooled connection, or fails with ``StoreUnavailable`` when no connection
    /// can be had within ``connectionWait``.
    ///
    /// `BEGIN`, `COMMIT` and `ROLLBACK` go through the store's ``StatementGuard`` like every other statement, so a
    /// transaction whose connection closes under it fails instead of waiting forever for a rollback that was never
    /// sent. A transaction whose `BEGIN` failed because the server had closed that pooled connection (it restarted,
    /// or ended the backend) has run nothing, so it runs once more on another connection.
    func transaction<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        let attempt = { try await self.leased { connection in try await self.inTransaction(on: connection, body) } }
        do {
            return try await attempt()
        } catch let error as TransactionNotBegun {
            guard StoreUnavailable.describes(error.underlying) else { throw error.underlying }
            do {
                return try await attempt()
            } catch let error as TransactionNotBegun {
                throw error.underlying
            }
        }
    }

    private func inTransaction<Result: Sendable>(
        on connection: PostgresConnection,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            _ = try await send("BEGIN", on: connection)
        } catch {
            throw TransactionNotBegun(underlying: error)
        }
        let result: Result
        do {
            result = try await body(connection)
        } catch {
            // The error is what the caller needs to know; a rollback that fails too (the connection closed, which
            // ends its transaction on the server as well) adds nothing.
            _ = try? await send("ROLLBACK", on: connection)
            throw error
        }
        _ = try await send("COMMIT", on: connection)
        return result
    }

    /// Runs `body` on a pooled connection, or fails with ``StoreUnavailable`` when no connection can be had within
    /// ``connectionWait``. Only the wait for the connection is bounded: a statement already running is not cut off.
    func leased<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        let leased = AtomicFlag()
        do {
            return try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask {
                    try await self.client.withConnection { connection in
                        leased.value = true
                        let result = try await body(connection)
                        self.unreachable.value = false
                        return result
                    }
                }
                group.addTask {
                    // Short while the server is known to be unreachable, even if it was not known when this began;
                    // a server that refuses connections is.
                    var wait = Self.connectionWaitWhileUnreachable
                    try await Task.sleep(for: wait)
                    if !leased.value, !self.unreachable.value, await !self.probe.acceptsConnections() {
                        self.unreachable.value = true
                    }
                    if !leased.value, !self.unreachable.value {
                        try await Task.sleep(for: Self.connectionWait - wait)
                        wait = Self.connectionWait
                    }
                    guard leased.value else {
                        throw StoreUnavailable("no PostgreSQL connection within \(wait) (\(self.location.host):\(self.location.port))")
                    }
                    return nil
                }
                while let outcome = try await group.next() {
                    guard let result = outcome else { continue }
                    group.cancelAll()
                    return result
                }
                throw CancellationError()
            }
        } catch where StoreUnavailable.describes(error) {
            unreachable.value = true
            throw error
        }
    }
}

/// A flag shared between tasks: whether the server was last found unreachable, whether a step got its connection.
final class AtomicFlag: Sendable {
    private let flag = Atomic(false)

    var value: Bool {
        get { flag.load(ordering: .acquiring) }
        set { flag.store(newValue, ordering: .releasing) }
    }
}

extension StoreUnavailable {
    /// Whether a PostgresNIO error says the server cannot be reached or is going away: the connection failed or was
    /// closed under a statement, or the server answered with a connection exception (SQLSTATE class 08), an
    /// administrator's or a crash's shutdown (57P01, 57P02) or "cannot connect now" while it starts (57P03).
    /// A statement left unanswered by a connection that closed counts too (see ``StatementGuard``); an error is
    /// judged by the one underneath it.
    static func describesPostgres(_ error: any Error) -> Bool {
        if error is ConnectionClosedUnderStatement { return true }
        if let error = error as? TransactionNotBegun { return describes(error.underlying) }
        guard let error = error as? PSQLError else { return false }
        // Closing a connection on our side after the server ended it carries the server's reason.
        if let underlying = error.underlying, describes(underlying) { return true }
        switch error.code {
        case .connectionError, .serverClosedConnection, .uncleanShutdown:
            return true
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
        default:
            return false
        }
    }
}

/// A transaction whose `BEGIN` failed: nothing of it ran.
struct TransactionNotBegun: Error {
    let underlying: any Error
}
