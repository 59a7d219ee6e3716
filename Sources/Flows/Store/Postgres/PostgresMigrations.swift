import Logging
import PostgresNIO

/// The tables of ``PostgresReviewStore`` in one schema, their names quoted and qualified for statements.
struct PostgresTables: Sendable {
    let schema: String

    init(schema: String) {
        precondition(PostgresIdentifier.isValid(schema), "a schema name is checked before it reaches a statement")
        self.schema = schema
    }

    private func qualified(_ table: String) -> String { PostgresIdentifier.quoted(schema) + "." + PostgresIdentifier.quoted(table) }

    var quotedSchema: String { PostgresIdentifier.quoted(schema) }
    var migrations: String { qualified("schema_migrations") }
    var reviews: String { qualified("document_reviews") }
    var receivedWebhooks: String { qualified("received_webhooks") }
    var eventCursors: String { qualified("event_cursors") }
    var earlyVerdicts: String { qualified("early_verdicts") }
    var thinNotifications: String { qualified("thin_notifications") }
    var submissionIntents: String { qualified("submission_intents") }
    var documentLeases: String { qualified("document_leases") }
    var resourceLeases: String { qualified("resource_leases") }
}

/// The schema of our app in PostgreSQL: the same named steps, in the same order, as ``ReviewMigrations`` gives
/// SQLite, each applied once and recorded in `schema_migrations`. The `document_id` index is a step of its own that
/// a store opened without it leaves out.
enum PostgresMigrations {
    /// One step: its name (the SQLite step's) and its statements.
    struct Step {
        var identifier: String
        var statements: [String]
    }

    /// Every step in order; without the index step when `withDocumentIdIndex` is false.
    static func steps(_ tables: PostgresTables, withDocumentIdIndex: Bool) -> [Step] {
        var steps = [
            Step(identifier: ReviewMigrations.documentReviews, statements: [
                // The reference tutorial's table, column for column.
                """
                CREATE TABLE \(tables.reviews) (id bigserial PRIMARY KEY, document_url text NOT NULL, agent_id text, \
                document_id text, document_status text NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)
                """,
            ]),
            Step(identifier: ReviewMigrations.receivedWebhooks, statements: [
                "CREATE TABLE \(tables.receivedWebhooks) (webhook_id text PRIMARY KEY, document_id text NOT NULL, received_at timestamptz NOT NULL)",
            ]),
            Step(identifier: ReviewMigrations.eventCursors, statements: [
                "CREATE TABLE \(tables.eventCursors) (name text PRIMARY KEY, cursor text NOT NULL, updated_at timestamptz NOT NULL)",
            ]),
            Step(identifier: ReviewMigrations.earlyVerdicts, statements: [
                "CREATE TABLE \(tables.earlyVerdicts) (document_id text PRIMARY KEY, document_status text NOT NULL, received_at timestamptz NOT NULL)",
            ]),
            Step(identifier: ReviewMigrations.thinNotifications, statements: [
                "CREATE TABLE \(tables.thinNotifications) (document_id text PRIMARY KEY, received_at timestamptz NOT NULL)",
            ]),
        ]
        if withDocumentIdIndex {
            steps.append(Step(identifier: ReviewMigrations.documentIdIndex, statements: [
                "CREATE INDEX document_reviews_on_document_id ON \(tables.reviews) (document_id)",
            ]))
        }
        steps.append(Step(identifier: ReviewMigrations.submissionIntents, statements: [
            """
            CREATE TABLE \(tables.submissionIntents) (key text PRIMARY KEY, document_url text NOT NULL, callback_url text, \
            callback_style text, created_at timestamptz NOT NULL)
            """,
        ]))
        steps.append(Step(identifier: ReviewMigrations.leases, statements: [
            "CREATE TABLE \(tables.documentLeases) (document_id text PRIMARY KEY, owner text NOT NULL, expires_at timestamptz NOT NULL)",
            "CREATE INDEX document_leases_on_owner ON \(tables.documentLeases) (owner)",
            "CREATE TABLE \(tables.resourceLeases) (name text PRIMARY KEY, owner text NOT NULL, expires_at timestamptz NOT NULL)",
        ]))
        return steps
    }

    /// The advisory lock every migrator takes (two 32-bit keys, a key space apart from the documents' 64-bit locks),
    /// so instances starting together migrate one after the other.
    private static let lockKeys: (Int32, Int32) = (0x666C_6F77, 1)

    /// Applies every step `connection`'s database lacks, each in a transaction of its own.
    /// - Throws: ``PostgresStoreError`` when a store opened without the index finds it applied.
    static func migrate(_ tables: PostgresTables, indexMode: StoreIndexMode, resetSchema: Bool, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKeys.0), \(lockKeys.1))", logger: logger)
            if resetSchema {
                guard tables.schema != "public" else { throw PostgresStoreError("a store is reset by dropping its schema, and public is not one to drop") }
                try await connection.query("DROP SCHEMA IF EXISTS \(unescaped: tables.quotedSchema) CASCADE", logger: logger)
            }
            try await connection.query("CREATE SCHEMA IF NOT EXISTS \(unescaped: tables.quotedSchema)", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS \(unescaped: tables.migrations) (identifier text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                logger: logger
            )
        }
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKeys.0), \(lockKeys.1))", logger: logger)
            var applied = Set<String>()
            for try await identifier in try await connection.query("SELECT identifier FROM \(unescaped: tables.migrations)", logger: logger).decode(String.self) {
                applied.insert(identifier)
            }
            if indexMode == .withoutIndex, applied.contains(ReviewMigrations.documentIdIndex) {
                throw PostgresStoreError.hasDocumentIdIndex(schema: tables.schema)
            }
            for step in steps(tables, withDocumentIdIndex: indexMode == .withIndex) where !applied.contains(step.identifier) {
                for statement in step.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO \(unescaped: tables.migrations) (identifier) VALUES (\(step.identifier))", logger: logger)
            }
        }
    }
}
