import Foundation
import GRDB

extension SQLiteReviewStore {
    public func leaseDocuments(_ documentIds: [String], to owner: String, until: Date, now: Date) async throws -> [String] {
        guard !documentIds.isEmpty else { return [] }
        return try await pool.write { db in
            try documentIds.filter { documentId in
                try db.cachedStatement(sql: LeaseSQL.leaseDocument).execute(arguments: [documentId, owner, until, now])
                return try String.fetchOne(db.cachedStatement(sql: LeaseSQL.documentOwner), arguments: [documentId]) == owner
            }
        }
    }

    public func takeOverDocuments(to owner: String, until: Date, now: Date, unleasedBefore: Date, reclaimingOwn: Bool, limit: Int) async throws -> [Review] {
        try await pool.write { db in
            let own: String? = reclaimingOwn ? owner : nil
            let reviews = try Review.fetchAll(db, sql: LeaseSQL.lapsed, arguments: [unleasedBefore, now, limit, own])
            for review in reviews {
                try db.cachedStatement(sql: LeaseSQL.leaseDocument).execute(arguments: [review.documentId, owner, until, now])
            }
            return reviews
        }
    }

    public func renewLeases(of owner: String, until: Date) async throws -> Set<String> {
        try await pool.write { db in
            try db.execute(sql: #"UPDATE "document_leases" SET "expires_at" = ? WHERE "owner" = ?"#, arguments: [until, owner])
            try db.execute(sql: #"UPDATE "resource_leases" SET "expires_at" = ? WHERE "owner" = ?"#, arguments: [until, owner])
            return Set(try String.fetchAll(db, sql: #"SELECT "document_id" FROM "document_leases" WHERE "owner" = ?"#, arguments: [owner]))
        }
    }

    public func leaseResource(_ name: String, to owner: String, until: Date, now: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: LeaseSQL.leaseResource, arguments: [name, owner, until, now])
            return try String.fetchOne(db, sql: #"SELECT "owner" FROM "resource_leases" WHERE "name" = ?"#, arguments: [name]) == owner
        }
    }
}

/// The lease statements (tables of ``ReviewMigrations/leases``): a lease is taken when free, lapsed, or already the
/// taker's.
enum LeaseSQL {
    static let leaseDocument = """
        INSERT INTO "document_leases" ("document_id", "owner", "expires_at") VALUES (?, ?, ?) \
        ON CONFLICT ("document_id") DO UPDATE SET "owner" = excluded."owner", "expires_at" = excluded."expires_at" \
        WHERE "document_leases"."owner" = excluded."owner" OR "document_leases"."expires_at" < ?4
        """
    static let documentOwner = #"SELECT "owner" FROM "document_leases" WHERE "document_id" = ?"#
    static let lapsed = """
        SELECT r.* FROM "document_reviews" AS r LEFT JOIN "document_leases" AS l ON l."document_id" = r."document_id" \
        WHERE r."document_status" = 'PENDING_REVIEW' AND ((l."document_id" IS NULL AND r."created_at" < ?1) OR l."expires_at" < ?2 OR l."owner" = ?4) \
        ORDER BY r."id" LIMIT ?3
        """
    static let leaseResource = """
        INSERT INTO "resource_leases" ("name", "owner", "expires_at") VALUES (?, ?, ?) \
        ON CONFLICT ("name") DO UPDATE SET "owner" = excluded."owner", "expires_at" = excluded."expires_at" \
        WHERE "resource_leases"."owner" = excluded."owner" OR "resource_leases"."expires_at" < ?4
        """
}
