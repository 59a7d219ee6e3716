import Foundation
import Logging

/// Where our app's reviews live, as one `--db` value names it: a SQLite file (the embedded default), or a
/// PostgreSQL database by URL, `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME]`.
///
/// Every command that opens a store parses its `--db` here and opens it with ``withStore(indexMode:schema:logger:wallClock:_:)``,
/// so the backends are chosen in one place.
public enum StoreLocation: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    /// Parses a `--db` value: a `postgres://` or `postgresql://` URL, or else a file path.
    public init(parsing text: String) throws(StoreLocationError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw StoreLocationError("--db is empty: give a SQLite file or a postgres:// URL") }
        let lowered = trimmed.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            self = .postgres(try PostgresLocation(parsing: trimmed))
        } else if lowered.contains("://") {
            throw StoreLocationError("--db \(trimmed.prefix(40)): only postgres:// URLs and SQLite file paths are understood")
        } else {
            self = .sqlite(path: trimmed)
        }
    }

    /// The location with any password hidden, fit for logs and result files.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let location): location.description
        }
    }

    /// `sqlite` or `postgres`.
    public var backendName: String {
        switch self {
        case .sqlite: "sqlite"
        case .postgres: "postgres"
        }
    }

    /// Opens (creating and migrating when needed) the store, runs `body` with it, and closes it.
    /// - Parameters:
    ///   - indexMode: With or without the `document_id` index.
    ///   - schema: For PostgreSQL, the schema to keep the tables in (overriding the URL's); `nil` keeps the URL's
    ///     or `public`. A SQLite file ignores it.
    ///   - resetSchema: For PostgreSQL, drop the schema first so the run starts empty (a benchmark's fresh store).
    ///   - logger: Receives the PostgreSQL client's background messages.
    ///   - wallClock: The time written to the rows.
    public func withStore<Result: Sendable>(
        indexMode: StoreIndexMode = .withIndex,
        schema: String? = nil,
        resetSchema: Bool = false,
        logger: Logger,
        wallClock: @escaping @Sendable () -> Date = { Date() },
        _ body: (any MeasuredReviewStore) async throws -> Result
    ) async throws -> Result {
        switch self {
        case .sqlite(let path):
            return try await body(SQLiteReviewStore(path: path, indexMode: indexMode, wallClock: wallClock))
        case .postgres(var location):
            if let schema { location.schema = schema }
            return try await PostgresReviewStore.withStore(
                at: location,
                indexMode: indexMode,
                resetSchema: resetSchema,
                logger: logger,
                wallClock: wallClock
            ) { try await body($0) }
        }
    }
}

/// A PostgreSQL database our app can use: where it is, who connects, and the schema its tables live in.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// The schema the tables live in (created when missing).
    public var schema: String

    public init(host: String = "127.0.0.1", port: Int = 5432, username: String, password: String? = nil, database: String, schema: String = "public") {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.schema = schema
    }

    /// Parses `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME]`.
    public init(parsing text: String) throws(StoreLocationError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            ["postgres", "postgresql"].contains(scheme)
        else {
            throw StoreLocationError("--db: \"\(Self.redacted(text))\" is not a postgres:// URL")
        }
        guard let host = components.host, !host.isEmpty else {
            throw StoreLocationError("--db: the postgres URL names no host (postgres://USER@HOST:PORT/DATABASE)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw StoreLocationError("--db: the postgres URL names no user (postgres://USER@HOST:PORT/DATABASE)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw StoreLocationError("--db: the postgres URL names no database (postgres://USER@HOST:PORT/DATABASE)")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw StoreLocationError("--db: the postgres URL's port must be 1 to 65535, not \(port)")
        }
        var schema = "public"
        for item in components.queryItems ?? [] {
            guard item.name == "schema" else {
                throw StoreLocationError("--db: the postgres URL takes only a schema parameter, not \"\(item.name)\"")
            }
            schema = item.value ?? ""
        }
        guard PostgresIdentifier.isValid(schema) else {
            throw StoreLocationError("--db: the schema must be letters, digits and underscores, starting with a letter or underscore, not \"\(schema)\"")
        }
        self.init(
            host: host,
            port: components.port ?? 5432,
            username: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database,
            schema: schema
        )
    }

    /// The URL with the password hidden.
    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":<redacted>")@\(host):\(port)/\(database)" + (schema == "public" ? "" : "?schema=\(schema)")
    }

    private static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let scheme = text.range(of: "://") else { return String(text.prefix(60)) }
        let credentials = text[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return String(text.prefix(60)) }
        return String(text[..<colon]) + ":<redacted>" + String(text[at...])
    }
}

/// Whether the `document_id` index is there: every measurement can be made both ways.
public enum StoreIndexMode: String, Sendable, CaseIterable {
    case withIndex = "with"
    case withoutIndex = "without"
}

/// A `--db` value that names no usable store, with what is wrong.
public struct StoreLocationError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// SQL identifiers our code puts into statements (schema names): checked, then quoted.
enum PostgresIdentifier {
    static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.utf8.count <= 63 else { return false }
        let letters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz_")
        let rest = letters.union(CharacterSet(charactersIn: "0123456789"))
        return letters.contains(first) && name.unicodeScalars.allSatisfy { rest.contains($0) }
    }

    /// `"name"`: a valid identifier needs no escaping, but is quoted so no keyword can clash.
    static func quoted(_ name: String) -> String { "\"\(name)\"" }
}
