import NIOCore
import PostgresNIO
import Synchronization

/// Makes sure every statement the store sends gets an answer, even when its connection closes under it.
///
/// PostgresNIO hands a statement to its connection's channel without a promise for the write. Once the channel has
/// closed and its handlers are gone, that write fails unseen and the statement's future is never completed: whoever
/// awaits it waits forever, holding its pooled connection and its HTTP request. When the server goes away
/// (`pg_ctl stop -m fast`, a crash, a restart), a transaction whose statement was cut off sends its `ROLLBACK`
/// exactly then; so does any step that sends its next statement a moment after the server's goodbye.
///
/// The guard watches each connection's close (one callback a connection, however many statements it runs). A
/// statement sent on a connection already closed, or still unanswered when its connection closes, fails with
/// ``ConnectionClosedUnderStatement``. A statement's answer and the close are both delivered on the connection's
/// event loop, and the answer of any statement the connection was serving comes first, so a statement answered
/// before the close is never reported failed.
final class StatementGuard: Sendable {
    private struct State {
        /// Per open connection, how to fail each statement it has not answered yet.
        var pending: [PostgresConnection.ID: [Int: @Sendable (any Error) -> Void]] = [:]
        var closed: Set<PostgresConnection.ID> = []
        var nextToken = 0
    }

    private let state = Mutex(State())

    /// Sends a statement with `send` (PostgresNIO's future-returning API) and waits for its answer, or for its
    /// connection's close.
    func answer<Value: Sendable>(on connection: PostgresConnection, _ send: () -> EventLoopFuture<Value>) async throws -> Value {
        let id = connection.id
        let promise = connection.eventLoop.makePromise(of: Value.self)
        let registration: (token: Int, firstOnConnection: Bool)? = state.withLock { state in
            guard !state.closed.contains(id) else { return nil }
            let token = state.nextToken
            state.nextToken += 1
            let first = state.pending[id] == nil
            state.pending[id, default: [:]][token] = { promise.fail($0) }
            return (token, first)
        }
        guard let registration else {
            let error = ConnectionClosedUnderStatement(connection: id)
            promise.fail(error)
            throw error
        }
        if registration.firstOnConnection {
            connection.closeFuture.whenComplete { _ in self.closed(id) }
        }
        send().whenComplete { result in
            self.state.withLock { _ = $0.pending[id]?.removeValue(forKey: registration.token) }
            promise.completeWith(result)
        }
        return try await promise.futureResult.get()
    }

    /// Fails what the connection left unanswered; a later statement on it fails at once.
    private func closed(_ id: PostgresConnection.ID) {
        let unanswered = state.withLock { state in
            state.closed.insert(id)
            return state.pending.removeValue(forKey: id).map { Array($0.values) } ?? []
        }
        for fail in unanswered { fail(ConnectionClosedUnderStatement(connection: id)) }
    }
}

/// A statement whose connection closed before answering it: what it did is unknown (a `COMMIT` may have been
/// applied), and the server is going away or gone.
public struct ConnectionClosedUnderStatement: Error, Sendable, CustomStringConvertible {
    public let connection: PostgresConnection.ID

    public var description: String {
        "PostgreSQL connection \(connection) closed before the statement was answered"
    }
}
