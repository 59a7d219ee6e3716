import Foundation
import GRDB
import HelpDeskAPI

extension SQLiteReviewStore {
    public func recordIntent(_ intent: SubmissionIntent) async throws {
        let now = wallClock()
        try await pool.write { db in try SubmissionIntentRecord(intent, createdAt: now).insert(db) }
    }

    public func discardIntent(key: String) async throws {
        _ = try await pool.write { db in try SubmissionIntentRecord.deleteOne(db, key: key) }
    }

    public func openIntents(limit: Int) async throws -> [SubmissionIntent] {
        try await pool.read { db in
            try SubmissionIntentRecord.order(SubmissionIntentRecord.Columns.createdAt).limit(limit).fetchAll(db).map(\.intent)
        }
    }

    public func recordSubmission(_ intent: SubmissionIntent, response: SubmitDocumentResponse) async throws -> (review: Review, inserted: Bool) {
        let now = wallClock()
        return try await pool.write { db in
            // The intent is gone only if this submission was recorded (or discarded) already: only then look for
            // its row, which keeps the common path free of a read that scans without the index.
            if try !SubmissionIntentRecord.deleteOne(db, key: intent.key),
                let existing = try Review.filter(Review.Columns.documentId == response.documentId).fetchOne(db)
            {
                return (existing, false)
            }
            var review = Review(
                documentUrl: intent.documentUrl,
                agentId: response.agentId,
                documentId: response.documentId,
                documentStatus: response.documentStatus,
                createdAt: now,
                updatedAt: now
            )
            if let early = try EarlyVerdict.fetchOne(db, key: response.documentId) {
                review.documentStatus = early.documentStatus
                try early.delete(db)
            }
            try review.insert(db)
            return (review, true)
        }
    }

    public func apply(_ verdict: Verdict) async throws -> VerdictOutcome {
        let now = wallClock()
        return try await writeRollingBackConflicts { db in
            if let webhookId = verdict.webhookId {
                let seen = ReceivedWebhook(webhookId: webhookId, documentId: verdict.documentId, receivedAt: now)
                try seen.insert(db, onConflict: .ignore)
                if db.changesCount == 0 { return .duplicateDelivery }
            }
            return try Self.apply(verdict, in: db, at: now)
        }
    }

    public func apply(events: [DocumentEvent], advancingCursor name: String, to cursor: String) async throws -> [VerdictOutcome] {
        let now = wallClock()
        return try await pool.write { db in
            var outcomes: [VerdictOutcome] = []
            for event in events where event.documentStatus.isDecided {
                // A conflict in the feed is reported, not fatal: the rest of the page and the cursor still land.
                outcomes.append(try Self.apply(Verdict(documentId: event.documentId, status: event.documentStatus), in: db, at: now))
            }
            try EventCursorRecord(name: name, cursor: cursor, updatedAt: now).upsert(db)
            return outcomes
        }
    }

    public func recordThinNotification(documentId: String, webhookId: String) async throws -> Bool {
        let now = wallClock()
        return try await pool.write { db in
            try ReceivedWebhook(webhookId: webhookId, documentId: documentId, receivedAt: now).insert(db, onConflict: .ignore)
            guard db.changesCount > 0 else { return false }
            try ThinNotification(documentId: documentId, receivedAt: now).insert(db, onConflict: .ignore)
            return true
        }
    }

    public func pendingThinNotifications(limit: Int) async throws -> [String] {
        try await pool.read { db in
            try ThinNotification.order(ThinNotification.Columns.receivedAt).limit(limit).fetchAll(db).map(\.documentId)
        }
    }

    public func applyFetched(_ verdict: Verdict) async throws -> VerdictOutcome {
        let now = wallClock()
        return try await writeRollingBackConflicts { db in
            let outcome = try Self.apply(verdict, in: db, at: now)
            _ = try ThinNotification.deleteOne(db, key: verdict.documentId)
            return outcome
        }
    }

    /// The state transition shared by every path: only a pending row takes a verdict.
    private static func apply(_ verdict: Verdict, in db: Database, at now: Date) throws -> VerdictOutcome {
        guard verdict.status.isDecided else { return .alreadyApplied }
        if try markDecided(verdict, in: db, at: now) > 0 {
            guard let review = try Review.filter(Review.Columns.documentId == verdict.documentId).fetchOne(db) else {
                return .alreadyApplied
            }
            return .applied(review)
        }
        if let existing = try Review.filter(Review.Columns.documentId == verdict.documentId).fetchOne(db) {
            return existing.documentStatus == verdict.status ? .alreadyApplied : .conflict(existing: existing.documentStatus)
        }
        if let early = try EarlyVerdict.fetchOne(db, key: verdict.documentId) {
            return early.documentStatus == verdict.status ? .alreadyApplied : .conflict(existing: early.documentStatus)
        }
        try EarlyVerdict(documentId: verdict.documentId, documentStatus: verdict.status, receivedAt: now).insert(db)
        return .parked
    }

    /// The receiver's update (``ReceiverUpdate/sql``): the row of the document, if still pending, takes the verdict.
    /// - Returns: The number of rows changed, 0 or 1.
    static func markDecided(_ verdict: Verdict, in db: Database, at now: Date) throws -> Int {
        try Review
            .filter(Review.Columns.documentId == verdict.documentId)
            .filter(Review.Columns.documentStatus == DocumentStatus.pendingReview)
            .updateAll(db, Review.Columns.documentStatus.set(to: verdict.status), Review.Columns.updatedAt.set(to: now))
    }

    /// Runs a write whose conflicting outcome must leave no trace, not even the `webhook-id` it recorded.
    private func writeRollingBackConflicts(_ body: @escaping @Sendable (Database) throws -> VerdictOutcome) async throws -> VerdictOutcome {
        do {
            return try await pool.write { db in
                let outcome = try body(db)
                if case .conflict = outcome { throw ConflictRollback(outcome: outcome) }
                return outcome
            }
        } catch let rollback as ConflictRollback {
            return rollback.outcome
        }
    }
}

/// Thrown inside a write to roll it back while still reporting its outcome.
private struct ConflictRollback: Error {
    var outcome: VerdictOutcome
}
