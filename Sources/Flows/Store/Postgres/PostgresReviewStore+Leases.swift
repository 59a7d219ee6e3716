import Foundation
import PostgresNIO

extension PostgresReviewStore {
    public func leaseDocuments(_ documentIds: [String], to owner: String, until: Date, now: Date) async throws -> [String] {
        guard !documentIds.isEmpty else { return [] }
        // RETURNING gives the rows inserted or updated: those now held by `owner`, not the ones the WHERE kept.
        return try await read("""
            INSERT INTO \(unescaped: tables.documentLeases) (document_id, owner, expires_at) \
            SELECT DISTINCT document, \(owner), \(until) FROM unnest(\(documentIds)::text[]) AS document \
            ON CONFLICT (document_id) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at \
            WHERE \(unescaped: tables.documentLeases).owner = EXCLUDED.owner OR \(unescaped: tables.documentLeases).expires_at < \(now) \
            RETURNING document_id
            """).map { try $0.decode(String.self) }
    }

    public func takeOverDocuments(to owner: String, until: Date, now: Date, unleasedBefore: Date, reclaimingOwn: Bool, limit: Int) async throws -> [Review] {
        let own: String? = reclaimingOwn ? owner : nil
        return try await transaction { connection in
            // Rows another instance is taking over at this moment are skipped, not waited for: two instances never
            // take the same document.
            let candidates = try await self.run("""
                SELECT r.document_id FROM \(unescaped: self.tables.reviews) AS r \
                LEFT JOIN \(unescaped: self.tables.documentLeases) AS l ON l.document_id = r.document_id \
                WHERE r.document_status = 'PENDING_REVIEW' \
                AND ((l.document_id IS NULL AND r.created_at < \(unleasedBefore)) OR l.expires_at < \(now) OR l.owner = \(own)) \
                ORDER BY r.id LIMIT \(Int64(limit)) FOR UPDATE OF r SKIP LOCKED
                """, on: connection).map { try $0.decode(String.self) }
            guard !candidates.isEmpty else { return [] }
            let taken = try await self.run("""
                INSERT INTO \(unescaped: self.tables.documentLeases) (document_id, owner, expires_at) \
                SELECT document, \(owner), \(until) FROM unnest(\(candidates)::text[]) AS document \
                ON CONFLICT (document_id) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at \
                WHERE \(unescaped: self.tables.documentLeases).expires_at < \(now) OR \(unescaped: self.tables.documentLeases).owner = EXCLUDED.owner \
                RETURNING document_id
                """, on: connection).map { try $0.decode(String.self) }
            return try await self.run("""
                SELECT \(unescaped: Self.reviewColumns) FROM \(unescaped: self.tables.reviews) \
                WHERE document_id = ANY(\(taken)::text[]) ORDER BY id
                """, on: connection).map(Self.review)
        }
    }

    public func renewLeases(of owner: String, until: Date) async throws -> Set<String> {
        try await transaction { connection in
            _ = try await self.run("UPDATE \(unescaped: self.tables.resourceLeases) SET expires_at = \(until) WHERE owner = \(owner)", on: connection)
            let held = try await self.run(
                "UPDATE \(unescaped: self.tables.documentLeases) SET expires_at = \(until) WHERE owner = \(owner) RETURNING document_id",
                on: connection
            )
            return Set(try held.map { try $0.decode(String.self) })
        }
    }

    public func leaseResource(_ name: String, to owner: String, until: Date, now: Date) async throws -> Bool {
        try await !read("""
            INSERT INTO \(unescaped: tables.resourceLeases) (name, owner, expires_at) VALUES (\(name), \(owner), \(until)) \
            ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at \
            WHERE \(unescaped: tables.resourceLeases).owner = EXCLUDED.owner OR \(unescaped: tables.resourceLeases).expires_at < \(now) \
            RETURNING 1
            """).isEmpty
    }
}
