import Foundation
import GRDB
import HelpDeskAPI

extension SQLiteReviewStore {
    public func recordIntent(_ intent: SubmissionIntent) async throws {
        _ = try await writes.commit(.recordIntent(intent))
    }

    public func discardIntent(key: String) async throws {
        _ = try await writes.commit(.discardIntent(key: key))
    }

    public func openIntents(limit: Int) async throws -> [SubmissionIntent] {
        try await pool.read { db in
            try SubmissionIntentRecord.order(SubmissionIntentRecord.Columns.createdAt).limit(limit).fetchAll(db).map(\.intent)
        }
    }

    public func recordSubmission(_ intent: SubmissionIntent, response: SubmitDocumentResponse) async throws -> (review: Review, inserted: Bool) {
        guard case .submission(let review, let inserted) = try await writes.commit(.recordSubmission(intent, response)) else {
            throw GroupCommitError()
        }
        return (review, inserted)
    }

    public func apply(_ verdict: Verdict) async throws -> VerdictOutcome {
        try await verdictOutcome(of: .apply(verdict))
    }

    public func apply(events: [DocumentEvent], advancingCursor name: String, to cursor: String) async throws -> [VerdictOutcome] {
        let now = wallClock()
        let timestamp = StorageTimestamp.string(from: now)
        return try await pool.write { db in
            var outcomes: [VerdictOutcome] = []
            for event in events where event.documentStatus.isDecided {
                // A conflict in the feed is reported, not fatal: the rest of the page and the cursor still land.
                outcomes.append(try Self.transition(Verdict(documentId: event.documentId, status: event.documentStatus), in: db, timestamp: timestamp))
            }
            try EventCursorRecord(name: name, cursor: cursor, updatedAt: now).upsert(db)
            return outcomes
        }
    }

    public func recordThinNotification(documentId: String, webhookId: String) async throws -> Bool {
        guard case .recorded(let recorded) = try await writes.commit(.recordThinNotification(documentId: documentId, webhookId: webhookId)) else {
            throw GroupCommitError()
        }
        return recorded
    }

    public func pendingThinNotifications(limit: Int) async throws -> [String] {
        try await pool.read { db in
            try ThinNotification.order(ThinNotification.Columns.receivedAt).limit(limit).fetchAll(db).map(\.documentId)
        }
    }

    public func applyFetched(_ verdict: Verdict) async throws -> VerdictOutcome {
        try await verdictOutcome(of: .applyFetched(verdict))
    }

    private func verdictOutcome(of write: StoreWrite) async throws -> VerdictOutcome {
        guard case .verdict(let outcome) = try await writes.commit(write) else { throw GroupCommitError() }
        return outcome
    }
}
