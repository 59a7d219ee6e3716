import Foundation
import GRDB
import HelpDeskAPI

/// A write of the hot path: what submissions, the receiver, pollers and thin fetches store. Concurrent writes share
/// a transaction (``GroupCommit``); each is still all-or-nothing and answered only after its commit.
enum StoreWrite: Sendable {
    case recordIntent(SubmissionIntent)
    case discardIntent(key: String)
    case recordSubmission(SubmissionIntent, SubmitDocumentResponse)
    case apply(Verdict)
    case applyFetched(Verdict)
    case recordThinNotification(documentId: String, webhookId: String)
}

/// What a ``StoreWrite`` did.
enum StoreWriteOutcome: Sendable {
    case done
    case submission(Review, inserted: Bool)
    case verdict(VerdictOutcome)
    case recorded(Bool)
}

extension SQLiteReviewStore {
    /// Commits a batch of writes in one transaction. If any write fails, the transaction is rolled back and each
    /// write runs again in a transaction of its own, so a failing write fails alone.
    static func flush(_ writes: [StoreWrite], in db: Database, at now: Date) -> [Result<StoreWriteOutcome, any Error>] {
        let timestamp = StorageTimestamp.string(from: now)
        do {
            var outcomes: [StoreWriteOutcome] = []
            outcomes.reserveCapacity(writes.count)
            try db.inTransaction {
                for write in writes { outcomes.append(try perform(write, in: db, now: now, timestamp: timestamp)) }
                return .commit
            }
            return outcomes.map { .success($0) }
        } catch {
            guard writes.count > 1 else { return [.failure(error)] }
            return writes.flatMap { flush([$0], in: db, at: now) }
        }
    }

    private static func perform(_ write: StoreWrite, in db: Database, now: Date, timestamp: String) throws -> StoreWriteOutcome {
        switch write {
        case .recordIntent(let intent):
            try db.cachedStatement(sql: HotSQL.recordIntent).execute(arguments: [
                intent.key, intent.documentUrl, intent.callbackURL, intent.callbackStyle?.rawValue, timestamp,
            ])
            return .done
        case .discardIntent(let key):
            try db.cachedStatement(sql: HotSQL.discardIntent).execute(arguments: [key])
            return .done
        case .recordSubmission(let intent, let response):
            let (review, inserted) = try recordSubmission(intent, response: response, in: db, now: now, timestamp: timestamp)
            return .submission(review, inserted: inserted)
        case .apply(let verdict):
            return .verdict(try apply(verdict, in: db, timestamp: timestamp))
        case .applyFetched(let verdict):
            let outcome = try transition(verdict, in: db, timestamp: timestamp)
            // A refused state leaves its notification, as a rolled-back transaction would.
            if case .conflict = outcome { return .verdict(outcome) }
            try db.cachedStatement(sql: HotSQL.forgetThinNotification).execute(arguments: [verdict.documentId])
            return .verdict(outcome)
        case .recordThinNotification(let documentId, let webhookId):
            try db.cachedStatement(sql: HotSQL.recordWebhook).execute(arguments: [webhookId, documentId, timestamp])
            guard db.changesCount > 0 else { return .recorded(false) }
            try db.cachedStatement(sql: HotSQL.recordThinNotification).execute(arguments: [documentId, timestamp])
            return .recorded(true)
        }
    }

    private static func recordSubmission(
        _ intent: SubmissionIntent,
        response: SubmitDocumentResponse,
        in db: Database,
        now: Date,
        timestamp: String
    ) throws -> (Review, Bool) {
        // The intent is gone only if this submission was recorded (or discarded) already: only then look for its
        // row, which keeps the common path free of a read that scans without the index.
        try db.cachedStatement(sql: HotSQL.discardIntent).execute(arguments: [intent.key])
        if db.changesCount == 0,
            let existing = try Review.fetchOne(db.cachedStatement(sql: HotSQL.reviewByDocument), arguments: [response.documentId])
        {
            return (existing, false)
        }
        // A verdict parked for this document is read, then deleted only when there is one. (`DELETE ... RETURNING`
        // would do both, but builds an ephemeral table on every submission: see ``ReceiverUpdate``.)
        let early = try DocumentStatus.fetchOne(db.cachedStatement(sql: HotSQL.earlyVerdictStatus), arguments: [response.documentId])
        if early != nil { try db.cachedStatement(sql: HotSQL.forgetEarlyVerdict).execute(arguments: [response.documentId]) }
        let status = early ?? response.documentStatus
        try db.cachedStatement(sql: HotSQL.insertReview).execute(arguments: [
            intent.documentUrl, response.agentId, response.documentId, status.rawValue, timestamp, timestamp,
        ])
        let review = Review(
            id: db.lastInsertedRowID,
            documentUrl: intent.documentUrl,
            agentId: response.agentId,
            documentId: response.documentId,
            documentStatus: status,
            createdAt: now,
            updatedAt: now
        )
        return (review, true)
    }

    /// A verdict, deduplicated by its `webhook-id` when it has one. A refused verdict leaves no trace, not even the id.
    private static func apply(_ verdict: Verdict, in db: Database, timestamp: String) throws -> VerdictOutcome {
        if let webhookId = verdict.webhookId {
            try db.cachedStatement(sql: HotSQL.recordWebhook).execute(arguments: [webhookId, verdict.documentId, timestamp])
            guard db.changesCount > 0 else { return .duplicateDelivery }
        }
        let outcome = try transition(verdict, in: db, timestamp: timestamp)
        if case .conflict = outcome, let webhookId = verdict.webhookId {
            try db.cachedStatement(sql: HotSQL.forgetWebhook).execute(arguments: [webhookId])
        }
        return outcome
    }

    /// The state transition shared by every path: only a pending row takes a verdict; a verdict for a row not
    /// inserted yet is parked for the insert. Refusing a verdict (a conflict) writes nothing.
    static func transition(_ verdict: Verdict, in db: Database, timestamp: String) throws -> VerdictOutcome {
        guard verdict.status.isDecided else { return .alreadyApplied }
        if try markDecided(verdict, in: db, timestamp: timestamp) {
            return .applied(verdict)
        }
        if let existing = try DocumentStatus.fetchOne(db.cachedStatement(sql: HotSQL.reviewStatus), arguments: [verdict.documentId]) {
            return existing == verdict.status ? .alreadyApplied : .conflict(existing: existing)
        }
        if let early = try DocumentStatus.fetchOne(db.cachedStatement(sql: HotSQL.earlyVerdictStatus), arguments: [verdict.documentId]) {
            return early == verdict.status ? .alreadyApplied : .conflict(existing: early)
        }
        try db.cachedStatement(sql: HotSQL.parkVerdict).execute(arguments: [verdict.documentId, verdict.status.rawValue, timestamp])
        return .parked
    }

    /// The receiver's update (``ReceiverUpdate/sql``): the row of the document, if still pending, takes the verdict.
    /// - Returns: Whether a pending row had this document id.
    static func markDecided(_ verdict: Verdict, in db: Database, timestamp: String) throws -> Bool {
        try db.cachedStatement(sql: ReceiverUpdate.sql).execute(
            arguments: [verdict.status.rawValue, timestamp, verdict.documentId, DocumentStatus.pendingReview.rawValue]
        )
        return db.changesCount > 0
    }
}

/// The statements of the hot path, prepared once per connection and cached (GRDB's query interface prepares a new
/// statement on every call, which cost more than running it). Columns and tables are those of ``ReviewMigrations``;
/// the store tests exercise every one.
enum HotSQL {
    static let recordIntent = """
        INSERT INTO "submission_intents" ("key", "document_url", "callback_url", "callback_style", "created_at") VALUES (?, ?, ?, ?, ?)
        """
    static let discardIntent = #"DELETE FROM "submission_intents" WHERE "key" = ?"#
    static let reviewByDocument = #"SELECT * FROM "document_reviews" WHERE "document_id" = ? LIMIT 1"#
    static let reviewStatus = #"SELECT "document_status" FROM "document_reviews" WHERE "document_id" = ? LIMIT 1"#
    static let insertReview = """
        INSERT INTO "document_reviews" ("document_url", "agent_id", "document_id", "document_status", "created_at", "updated_at") \
        VALUES (?, ?, ?, ?, ?, ?)
        """
    static let recordWebhook = #"INSERT OR IGNORE INTO "received_webhooks" ("webhook_id", "document_id", "received_at") VALUES (?, ?, ?)"#
    static let forgetWebhook = #"DELETE FROM "received_webhooks" WHERE "webhook_id" = ?"#
    static let earlyVerdictStatus = #"SELECT "document_status" FROM "early_verdicts" WHERE "document_id" = ?"#
    static let parkVerdict = #"INSERT INTO "early_verdicts" ("document_id", "document_status", "received_at") VALUES (?, ?, ?)"#
    static let forgetEarlyVerdict = #"DELETE FROM "early_verdicts" WHERE "document_id" = ?"#
    static let recordThinNotification = #"INSERT OR IGNORE INTO "thin_notifications" ("document_id", "received_at") VALUES (?, ?)"#
    static let forgetThinNotification = #"DELETE FROM "thin_notifications" WHERE "document_id" = ?"#
}
