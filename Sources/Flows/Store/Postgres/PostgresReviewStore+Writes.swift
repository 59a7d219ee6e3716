import Foundation
import HelpDeskAPI
import PostgresNIO

extension PostgresReviewStore {
    public func recordIntent(_ intent: SubmissionIntent) async throws {
        _ = try await read("""
            INSERT INTO \(unescaped: tables.submissionIntents) (key, document_url, callback_url, callback_style, created_at) \
            VALUES (\(intent.key), \(intent.documentUrl), \(intent.callbackURL), \(intent.callbackStyle?.rawValue), \(wallClock()))
            """)
    }

    public func discardIntent(key: String) async throws {
        _ = try await read("DELETE FROM \(unescaped: tables.submissionIntents) WHERE key = \(key)")
    }

    public func recordSubmission(_ intent: SubmissionIntent, response: SubmitDocumentResponse) async throws -> (review: Review, inserted: Bool) {
        let now = wallClock()
        return try await transaction { connection in
            try await self.lock([response.documentId], on: connection)
            // The intent is gone only if this submission was recorded (or discarded) already: only then is there a row to find.
            let discarded = try await self.run("DELETE FROM \(unescaped: self.tables.submissionIntents) WHERE key = \(intent.key) RETURNING 1", on: connection)
            if discarded.isEmpty, let existing = try await self.review(response.documentId, on: connection) {
                return (existing, false)
            }
            let early = try await self.run(
                "DELETE FROM \(unescaped: self.tables.earlyVerdicts) WHERE document_id = \(response.documentId) RETURNING document_status",
                on: connection
            )
            let status = try early.first.map { try DocumentStatus.decoded(try $0.decode(String.self)) } ?? response.documentStatus
            let inserted = try await self.run("""
                INSERT INTO \(unescaped: self.tables.reviews) (document_url, agent_id, document_id, document_status, created_at, updated_at) \
                VALUES (\(intent.documentUrl), \(response.agentId), \(response.documentId), \(status.rawValue), \(now), \(now)) RETURNING id
                """, on: connection)
            let id = try inserted.first?.decode(Int64.self)
            let review = Review(id: id, documentUrl: intent.documentUrl, agentId: response.agentId, documentId: response.documentId,
                                documentStatus: status, createdAt: now, updatedAt: now)
            return (review, true)
        }
    }

    public func apply(_ verdict: Verdict) async throws -> VerdictOutcome {
        let now = wallClock()
        return try await transaction { connection in
            try await self.lock([verdict.documentId], on: connection)
            if let webhookId = verdict.webhookId {
                guard try await self.recordWebhook(webhookId, documentId: verdict.documentId, at: now, on: connection) else {
                    return .duplicateDelivery
                }
            }
            let outcome = try await self.transition(verdict, at: now, on: connection)
            // A refused verdict leaves no trace, not even its webhook-id.
            if case .conflict = outcome, let webhookId = verdict.webhookId {
                _ = try await self.run("DELETE FROM \(unescaped: self.tables.receivedWebhooks) WHERE webhook_id = \(webhookId)", on: connection)
            }
            return outcome
        }
    }

    public func apply(events: [DocumentEvent], advancingCursor name: String, to cursor: String) async throws -> [VerdictOutcome] {
        let now = wallClock()
        return try await transaction { connection in
            let decided = events.filter(\.documentStatus.isDecided)
            try await self.lock(decided.map(\.documentId), on: connection)
            // The common case, every row pending, in one statement for the whole page; the rest one by one.
            var updated = try await self.markDecided(decided, at: now, on: connection)
            var outcomes: [VerdictOutcome] = []
            for event in decided {
                if updated.remove(event.documentId) != nil {
                    outcomes.append(.applied(Verdict(documentId: event.documentId, status: event.documentStatus)))
                } else {
                    // A conflict in the feed is reported, not fatal: the rest of the page and the cursor still land.
                    outcomes.append(try await self.transition(Verdict(documentId: event.documentId, status: event.documentStatus), at: now, on: connection))
                }
            }
            _ = try await self.run("""
                INSERT INTO \(unescaped: self.tables.eventCursors) (name, cursor, updated_at) VALUES (\(name), \(cursor), \(now)) \
                ON CONFLICT (name) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = EXCLUDED.updated_at
                """, on: connection)
            return outcomes
        }
    }

    public func recordThinNotification(documentId: String, webhookId: String) async throws -> Bool {
        let now = wallClock()
        return try await transaction { connection in
            try await self.lock([documentId], on: connection)
            guard try await self.recordWebhook(webhookId, documentId: documentId, at: now, on: connection) else { return false }
            _ = try await self.run("""
                INSERT INTO \(unescaped: self.tables.thinNotifications) (document_id, received_at) VALUES (\(documentId), \(now)) \
                ON CONFLICT (document_id) DO NOTHING
                """, on: connection)
            return true
        }
    }

    public func applyFetched(_ verdict: Verdict) async throws -> VerdictOutcome {
        let now = wallClock()
        return try await transaction { connection in
            try await self.lock([verdict.documentId], on: connection)
            let outcome = try await self.transition(verdict, at: now, on: connection)
            // A refused state leaves its notification, as a rolled-back transaction would.
            if case .conflict = outcome { return outcome }
            _ = try await self.run("DELETE FROM \(unescaped: self.tables.thinNotifications) WHERE document_id = \(verdict.documentId)", on: connection)
            return outcome
        }
    }

    // MARK: Steps inside a transaction

    /// Locks documents until the transaction ends, in one order whatever the caller's, so two transactions that
    /// lock the same documents never wait for each other in a circle.
    func lock(_ documentIds: [String], on connection: PostgresConnection) async throws {
        guard !documentIds.isEmpty else { return }
        if documentIds.count == 1 {
            _ = try await run("SELECT pg_advisory_xact_lock(hashtextextended(\(documentIds[0]), 0))", on: connection)
        } else {
            _ = try await run("""
                SELECT pg_advisory_xact_lock(key) FROM \
                (SELECT DISTINCT hashtextextended(document, 0) AS key FROM unnest(\(documentIds)::text[]) AS document) AS keys ORDER BY key
                """, on: connection)
        }
    }

    /// The receiver's update for many documents in one statement: each pending row takes its event's verdict.
    /// - Returns: The rows that changed, by document id.
    private func markDecided(_ events: [DocumentEvent], at now: Date, on connection: PostgresConnection) async throws -> Set<String> {
        guard !events.isEmpty else { return [] }
        let rows = try await run("""
            UPDATE \(unescaped: tables.reviews) AS r SET document_status = v.status, updated_at = \(now) \
            FROM unnest(\(events.map(\.documentId))::text[], \(events.map(\.documentStatus.rawValue))::text[]) AS v(document_id, status) \
            WHERE r.document_id = v.document_id AND r.document_status = \(DocumentStatus.pendingReview.rawValue) \
            RETURNING r.document_id
            """, on: connection)
        return Set(try rows.map { try $0.decode(String.self) })
    }

    /// Records a `webhook-id`; `false` when it was recorded before (a redelivery).
    private func recordWebhook(_ webhookId: String, documentId: String, at now: Date, on connection: PostgresConnection) async throws -> Bool {
        let inserted = try await run("""
            INSERT INTO \(unescaped: tables.receivedWebhooks) (webhook_id, document_id, received_at) VALUES (\(webhookId), \(documentId), \(now)) \
            ON CONFLICT (webhook_id) DO NOTHING RETURNING 1
            """, on: connection)
        return !inserted.isEmpty
    }

    /// The state transition every path shares: only a pending row takes a verdict; a verdict for a row not inserted
    /// yet is parked for the insert; refusing one (a conflict) writes nothing. The document must be locked.
    private func transition(_ verdict: Verdict, at now: Date, on connection: PostgresConnection) async throws -> VerdictOutcome {
        guard verdict.status.isDecided else { return .alreadyApplied }
        let updated = try await run(PostgresReceiverUpdate.query(tables, status: verdict.status, at: now, documentId: verdict.documentId), on: connection)
        if updated.first != nil { return .applied(verdict) }
        if let existing = try await run("SELECT document_status FROM \(unescaped: tables.reviews) WHERE document_id = \(verdict.documentId) LIMIT 1", on: connection).first {
            let status = try DocumentStatus.decoded(try existing.decode(String.self))
            return status == verdict.status ? .alreadyApplied : .conflict(existing: status)
        }
        if let early = try await run("SELECT document_status FROM \(unescaped: tables.earlyVerdicts) WHERE document_id = \(verdict.documentId)", on: connection).first {
            let status = try DocumentStatus.decoded(try early.decode(String.self))
            return status == verdict.status ? .alreadyApplied : .conflict(existing: status)
        }
        _ = try await run("""
            INSERT INTO \(unescaped: tables.earlyVerdicts) (document_id, document_status, received_at) \
            VALUES (\(verdict.documentId), \(verdict.status.rawValue), \(now))
            """, on: connection)
        return .parked
    }

    func review(_ documentId: String, on connection: PostgresConnection) async throws -> Review? {
        try await run("SELECT \(unescaped: Self.reviewColumns) FROM \(unescaped: tables.reviews) WHERE document_id = \(documentId) LIMIT 1", on: connection)
            .first.map(Self.review)
    }
}

/// The receiver's update as PostgreSQL runs it: the pending row of the document takes the verdict, and a row comes
/// back when it did (the store reports the verdict, not the row). The DB cost sweep and the query plan measure exactly
/// this statement.
public enum PostgresReceiverUpdate {
    static func query(_ tables: PostgresTables, status: DocumentStatus, at now: Date, documentId: String) -> PostgresQuery {
        """
        UPDATE \(unescaped: tables.reviews) SET document_status = \(status.rawValue), updated_at = \(now) \
        WHERE document_id = \(documentId) AND document_status = \(DocumentStatus.pendingReview.rawValue) \
        RETURNING 1
        """
    }

    /// The update for `documentId` in the tables of `schema`, for a tool that times it.
    public static func query(schema: String, documentId: String) -> PostgresQuery {
        query(PostgresTables(schema: schema), status: .accepted, at: Date(timeIntervalSince1970: 1_767_225_600), documentId: documentId)
    }

    static func explain(_ tables: PostgresTables) -> PostgresQuery {
        var update = query(tables, status: .accepted, at: Date(timeIntervalSince1970: 1_767_225_600), documentId: "doc_0")
        update.sql = "EXPLAIN (FORMAT JSON) " + update.sql
        return update
    }
}

extension DocumentStatus {
    /// A stored status, or an error naming what the row held.
    static func decoded(_ text: String) throws -> DocumentStatus {
        guard let status = DocumentStatus(rawValue: text) else { throw PostgresStoreError("a row holds the unknown status \(text)") }
        return status
    }
}
