import Foundation
import HelpDeskAPI
import Logging
import NIOCore
import PostgresNIO
import SimulationSupport

/// The reviews in PostgreSQL through PostgresNIO: the same tables and steps as ``SQLiteReviewStore``, correct
/// under any number of concurrent writers, such as several app instances over one database.
///
/// Each step is one transaction on a pooled connection (``defaultPoolSize`` connections unless told otherwise).
/// A step that touches a document first takes a transaction-scoped advisory lock on its id
/// (`pg_advisory_xact_lock`), so the steps on one document serialize whoever runs them: a webhook that beats our
/// insert either finds the row or parks its verdict before the insert looks for it, as SQLite's single writer
/// guarantees. A `webhook-id` is deduplicated by its primary key (`INSERT ... ON CONFLICT DO NOTHING`); a
/// transition is one conditional `UPDATE ... WHERE document_status = 'PENDING_REVIEW' RETURNING`. Every value is
/// a bound parameter; the only text put into statements is the schema's name, checked and quoted.
///
/// Concurrent commits are grouped by PostgreSQL itself (its WAL flush serves every transaction waiting on it), so
/// this store has no group commit of its own; each caller is answered after its own commit.
public final class PostgresReviewStore: ReviewStore, StoreMeasurement {
    /// Connections the store keeps to the server at most.
    public static let defaultPoolSize = 16

    /// The pool, for measurement tools that time raw statements (the DB cost sweep).
    public let client: PostgresClient
    public let location: PostgresLocation
    public let indexMode: StoreIndexMode
    let tables: PostgresTables
    let logger: Logger
    let wallClock: @Sendable () -> Date
    let counter = PostgresStatementCounter()
    /// Whether a step last found the server unreachable: the next wait for a connection is then short.
    let unreachable = AtomicFlag()
    /// Answers every statement, even on a connection that closes under it.
    let statements = StatementGuard()
    /// Asks whether the server is there at all when a step has waited a while for a connection.
    let probe: ServerProbe

    public var backendName: String { "postgres" }

    private init(client: PostgresClient, location: PostgresLocation, indexMode: StoreIndexMode, logger: Logger, wallClock: @escaping @Sendable () -> Date) {
        self.client = client
        self.location = location
        self.indexMode = indexMode
        self.tables = PostgresTables(schema: location.schema)
        self.probe = ServerProbe(host: location.host, port: location.port)
        self.logger = logger
        self.wallClock = wallClock
    }

    /// Connects to `location`, migrates its schema (creating it, or dropping it first when `resetSchema`), runs `body`
    /// with the store, and closes every connection.
    ///
    /// The server is reached once before anything else, so an unreachable server, a bad password or a missing
    /// database fail at once with ``PostgresStoreError`` saying which.
    public static func withStore<Result: Sendable>(
        at location: PostgresLocation,
        indexMode: StoreIndexMode = .withIndex,
        poolSize: Int = defaultPoolSize,
        resetSchema: Bool = false,
        logger: Logger,
        wallClock: @escaping @Sendable () -> Date = { Date() },
        _ body: (PostgresReviewStore) async throws -> Result
    ) async throws -> Result {
        var configuration = PostgresClient.Configuration(
            host: location.host,
            port: location.port,
            username: location.username,
            password: location.password,
            database: location.database,
            tls: .disable
        )
        configuration.options.maximumConnections = poolSize
        configuration.options.connectTimeout = .seconds(5)
        try await migrate(location, indexMode: indexMode, resetSchema: resetSchema, logger: logger)
        // The pool's background messages from error up: it warns once, harmlessly, when the first lease races run().
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: configuration, backgroundLogger: background)
        let store = PostgresReviewStore(client: client, location: location, indexMode: indexMode, logger: logger, wallClock: wallClock)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            do {
                let result = try await body(store)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// Migrates on a connection of its own (the pool's are not open yet), turning a failure to connect into a
    /// message that names the server.
    private static func migrate(
        _ location: PostgresLocation,
        indexMode: StoreIndexMode,
        resetSchema: Bool,
        logger: Logger
    ) async throws {
        let connection: PostgresConnection
        do {
            var configuration = PostgresConnection.Configuration(
                host: location.host, port: location.port, username: location.username, password: location.password,
                database: location.database, tls: .disable
            )
            configuration.options.connectTimeout = .seconds(5)
            connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        } catch {
            throw PostgresStoreError("cannot use \(location): \(PostgresStoreError.describe(error))")
        }
        do {
            try await PostgresMigrations.migrate(PostgresTables(schema: location.schema), indexMode: indexMode, resetSchema: resetSchema, on: connection, logger: logger)
            try await connection.close()
        } catch let error as PostgresStoreError {
            try? await connection.close()
            throw error
        } catch {
            try? await connection.close()
            throw PostgresStoreError("cannot migrate \(location): \(PostgresStoreError.describe(error))")
        }
    }

    public func statementStatistics() -> StatementStatistics {
        counter.snapshot
    }

    /// `"schema"."document_reviews"`, for measurement tools that write their own statements (the DB cost sweep).
    public var qualifiedReviewsTable: String { tables.reviews }

    /// The store's schema, quoted.
    public var quotedSchema: String { tables.quotedSchema }

    public func receiverUpdatePlan() async throws -> String {
        let rows = try await leased { connection in
            try await self.run(PostgresReceiverUpdate.explain(self.tables), on: connection)
        }
        guard let text = try rows.first?.decode(String.self) else { throw PostgresStoreError("EXPLAIN gave no plan") }
        return try PostgresPlan.summary(ofJSON: text)
    }

    public func tallyStatuses<Tally: Sendable>(
        into initial: Tally,
        _ combine: @escaping @Sendable (inout Tally, String, DocumentStatus) -> Void
    ) async throws -> Tally {
        try await leased { connection in
            // Row by row as they arrive, without holding them all.
            let tally = LockedValue(initial)
            _ = try await self.statements.answer(on: connection) {
                connection.query("SELECT document_id, document_status FROM \(unescaped: self.tables.reviews)", logger: self.logger) { row in
                    let (documentId, status) = try row.decode((String?, String).self)
                    let decoded = try DocumentStatus.decoded(status)
                    tally.withLock { combine(&$0, documentId ?? "", decoded) }
                }
            }
            return tally.value
        }
    }

    // MARK: Reads

    public func openIntents(limit: Int) async throws -> [SubmissionIntent] {
        let rows = try await read("""
            SELECT key, document_url, callback_url, callback_style FROM \(unescaped: tables.submissionIntents) \
            ORDER BY created_at LIMIT \(Int64(limit))
            """)
        return try rows.map { row in
            let (key, url, callback, style) = try row.decode((String, String, String?, String?).self)
            return SubmissionIntent(key: key, documentUrl: url, callbackURL: callback, callbackStyle: style.flatMap(CallbackPayloadStyle.init(rawValue:)))
        }
    }

    public func eventCursor(named name: String) async throws -> String? {
        try await read("SELECT cursor FROM \(unescaped: tables.eventCursors) WHERE name = \(name)").first?.decode(String.self)
    }

    public func review(documentId: String) async throws -> Review? {
        try await read("SELECT \(unescaped: Self.reviewColumns) FROM \(unescaped: tables.reviews) WHERE document_id = \(documentId) LIMIT 1")
            .first.map(Self.review)
    }

    public func reviews(status: DocumentStatus?, limit: Int) async throws -> [Review] {
        let rows: [PostgresRow]
        if let status {
            rows = try await read("""
                SELECT \(unescaped: Self.reviewColumns) FROM \(unescaped: tables.reviews) WHERE document_status = \(status.rawValue) \
                ORDER BY id DESC LIMIT \(Int64(limit))
                """)
        } else {
            rows = try await read("SELECT \(unescaped: Self.reviewColumns) FROM \(unescaped: tables.reviews) ORDER BY id DESC LIMIT \(Int64(limit))")
        }
        return try rows.map(Self.review)
    }

    public func pendingReviews(createdBefore: Date, limit: Int) async throws -> [Review] {
        try await read("""
            SELECT \(unescaped: Self.reviewColumns) FROM \(unescaped: tables.reviews) \
            WHERE document_status = \(DocumentStatus.pendingReview.rawValue) AND created_at <= \(createdBefore) \
            ORDER BY id LIMIT \(Int64(limit))
            """).map(Self.review)
    }

    public func pendingThinNotifications(limit: Int) async throws -> [String] {
        try await read("SELECT document_id FROM \(unescaped: tables.thinNotifications) ORDER BY received_at LIMIT \(Int64(limit))")
            .map { try $0.decode(String.self) }
    }

    // MARK: Statements

    /// The columns of a review, in the order ``review(_:)`` decodes them.
    static let reviewColumns = "id, document_url, agent_id, document_id, document_status, created_at, updated_at"

    static func review(_ row: PostgresRow) throws -> Review {
        let (id, url, agent, document, status, created, updated) = try row.decode((Int64, String, String?, String?, String, Date, Date).self)
        guard let documentStatus = DocumentStatus(rawValue: status) else { throw PostgresStoreError("a row holds the unknown status \(status)") }
        return Review(id: id, documentUrl: url, agentId: agent ?? "", documentId: document ?? "", documentStatus: documentStatus, createdAt: created, updatedAt: updated)
    }

    /// Runs one statement on a pooled connection.
    func read(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await leased { connection in try await self.run(query, on: connection) }
    }

    /// Runs one statement and reads its rows, timed from sending it to its last row (the round trip included).
    func run(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [PostgresRow] {
        let started = ContinuousClock.now
        defer { counter.record(started.duration(to: .now)) }
        return try await send(query, on: connection)
    }

    /// Runs one statement, uncounted (a transaction's `BEGIN`, `COMMIT`, `ROLLBACK`), through the ``StatementGuard``.
    func send(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [PostgresRow] {
        try await statements.answer(on: connection) { () -> EventLoopFuture<PostgresQueryResult> in
            connection.query(query, logger: logger)
        }.rows
    }
}

/// A PostgreSQL store that cannot be opened or used, with why.
public struct PostgresStoreError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }

    static func hasDocumentIdIndex(schema: String) -> PostgresStoreError {
        PostgresStoreError("schema \(schema) already has the document_id index; open it with the index, or use a new schema to measure without it")
    }

    /// What went wrong, in words: PostgresNIO's errors describe themselves generically, to keep queries out of logs.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            return "the server answered: \(message)" + (error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }
}
