import Foundation
import GRDB
import HelpDeskAPI
import ServerSupport

/// A verdict learned by any path: a webhook, a status poll, the event feed.
public struct Verdict: Sendable, Hashable {
    public var documentId: String
    public var status: DocumentStatus
    /// The `webhook-id` of the delivery that carried it, for deduplication; `nil` for verdicts learned by polling.
    public var webhookId: String?

    public init(documentId: String, status: DocumentStatus, webhookId: String? = nil) {
        self.documentId = documentId
        self.status = status
        self.webhookId = webhookId
    }
}

/// What applying a verdict did.
public enum VerdictOutcome: Sendable, Hashable {
    /// The row of the verdict's document moved from `PENDING_REVIEW` to the verdict. The row itself is not read back
    /// (on the receiver's path that read cost as much as the update): ``ReviewStore/review(documentId:)`` reads it.
    case applied(Verdict)
    /// The row already held this verdict: nothing changed.
    case alreadyApplied
    /// This `webhook-id` was applied before: nothing changed.
    case duplicateDelivery
    /// The row holds the other verdict: nothing changed.
    case conflict(existing: DocumentStatus)
    /// No row has this document id yet: the verdict is kept and applied when the row is inserted.
    case parked

    /// Whether a row (or a parked verdict) changed.
    public var changedRow: Bool {
        switch self {
        case .applied, .parked: true
        case .alreadyApplied, .duplicateDelivery, .conflict: false
        }
    }
}

/// A submission stored before it is sent to the Help Desk, and forgotten when its review row is inserted.
///
/// If the app stops between the Help Desk's answer and that insert, the next start sends it again, byte for byte
/// the same request with the same idempotency key: the Help Desk answers with the document it already made, and the
/// row is inserted then.
public struct SubmissionIntent: Sendable, Hashable {
    /// The `Idempotency-Key` the submission is sent with.
    public var key: String
    public var documentUrl: String
    /// The callback sent with it, kept so a second send is the same request as the first.
    public var callbackURL: String?
    public var callbackStyle: CallbackPayloadStyle?

    public init(key: String = UUID().uuidString, documentUrl: String, callbackURL: String? = nil, callbackStyle: CallbackPayloadStyle? = nil) {
        self.key = key
        self.documentUrl = documentUrl
        self.callbackURL = callbackURL
        self.callbackStyle = callbackStyle
    }

    /// The callback as the Help Desk client takes it.
    public var callback: (url: String, style: CallbackPayloadStyle)? {
        callbackURL.map { (url: $0, style: callbackStyle ?? .full) }
    }
}

/// Reads and counts of the statements a store ran.
public struct StatementStatistics: Sendable, Hashable {
    public var statements: Int
    public var totalDuration: Duration

    public init(statements: Int = 0, totalDuration: Duration = .zero) {
        self.statements = statements
        self.totalDuration = totalDuration
    }

    public static func - (lhs: Self, rhs: Self) -> Self {
        Self(statements: lhs.statements - rhs.statements, totalDuration: lhs.totalDuration - rhs.totalDuration)
    }
}

/// Where our app keeps its reviews. Every method is one atomic step: an implementation for another database must
/// keep each one a single transaction that serializes against the others for the same document, whatever the
/// number of writers (``SQLiteReviewStore`` has one writer; ``PostgresReviewStore`` locks the document). The
/// store conformance suite states each promise as a test that runs against every backend; what a store costs is
/// ``StoreMeasurement``'s business.
/// The database cannot be reached or written for now (SQLite busy or locked past its timeout, a server refusing
/// connections): an answer that depends on it is "try again later", not a failure of the request.
public struct StoreUnavailable: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }

    /// The `Retry-After` our receiver answers with while the database is unavailable, whole seconds.
    public static let retryAfterSeconds = 5

    /// What our receiver and our API answer while the database is unavailable: 503 with `Retry-After`.
    static let answer = APIError.retryLater(.serviceUnavailable, "our database is unavailable; try again later", afterSeconds: retryAfterSeconds)

    /// Whether `error` says the database is unavailable for now: this error, SQLite's busy and locked codes, or a
    /// PostgreSQL server that cannot be reached or is shutting down.
    public static func describes(_ error: any Error) -> Bool {
        if error is StoreUnavailable || describesPostgres(error) { return true }
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
    }
}

public protocol ReviewStore: Sendable {
    /// Stores a submission about to be sent, before it is sent.
    func recordIntent(_ intent: SubmissionIntent) async throws

    /// Forgets a submission the Help Desk refused or that failed before it got an answer.
    func discardIntent(key: String) async throws

    /// Submissions stored and not yet answered: what a crash left behind, oldest first.
    func openIntents(limit: Int) async throws -> [SubmissionIntent]

    /// Stores the review the Help Desk made for a submission and forgets the intent, in one transaction. A verdict
    /// that arrived before this row (a webhook that beat our insert) is applied in the same transaction, so it is
    /// never lost. If the document already has its row (the same submission recorded twice), that row is returned
    /// and nothing is inserted.
    /// - Returns: The row as stored, with its verdict if one was waiting, and whether this call inserted it.
    func recordSubmission(_ intent: SubmissionIntent, response: SubmitDocumentResponse) async throws -> (review: Review, inserted: Bool)

    /// Applies a verdict, at most once per `webhook-id`; only `PENDING_REVIEW -> ACCEPTED | DECLINED` changes a row.
    func apply(_ verdict: Verdict) async throws -> VerdictOutcome

    /// Applies the verdicts of a page of the event feed and stores the feed cursor, in one transaction, so a restart
    /// resumes after the last event applied and never skips one.
    func apply(events: [DocumentEvent], advancingCursor name: String, to cursor: String) async throws -> [VerdictOutcome]

    /// The stored position in an event feed, if any.
    func eventCursor(named name: String) async throws -> String?

    func review(documentId: String) async throws -> Review?

    /// Reviews newest first, optionally only those in one state.
    func reviews(status: DocumentStatus?, limit: Int) async throws -> [Review]

    /// Reviews still pending that were created at or before `createdBefore`, oldest first.
    func pendingReviews(createdBefore: Date, limit: Int) async throws -> [Review]

    /// Remembers that a thin webhook named this document, so its state is fetched even across a restart.
    /// - Returns: `false` when this `webhook-id` was seen before.
    func recordThinNotification(documentId: String, webhookId: String) async throws -> Bool

    /// Documents named by thin webhooks and not fetched yet, oldest first.
    func pendingThinNotifications(limit: Int) async throws -> [String]

    /// Applies the state fetched for a thin notification and forgets the notification, in one transaction.
    func applyFetched(_ verdict: Verdict) async throws -> VerdictOutcome

    // Leases: how several app instances over one database share the work. An instance polls only the documents
    // it holds a lease on, and reads an event feed only while it holds that feed's lease; a lease lapses when its
    // holder stops renewing it, and another instance takes the work over.

    /// Leases the documents to `owner` until `until`, those no one holds or whose lease has expired by `now`.
    /// - Returns: The ids now held by `owner` (those already held by it included).
    func leaseDocuments(_ documentIds: [String], to owner: String, until: Date, now: Date) async throws -> [String]

    /// Leases to `owner` up to `limit` pending documents whose lease has expired by `now`, or that were created
    /// before `unleasedBefore` and never leased (their instance stopped before it could), and, with
    /// `reclaimingOwn`, those `owner` holds already (an instance starting again), oldest first.
    /// - Returns: Their rows.
    func takeOverDocuments(to owner: String, until: Date, now: Date, unleasedBefore: Date, reclaimingOwn: Bool, limit: Int) async throws -> [Review]

    /// Extends every lease `owner` holds, documents and feeds, to `until`.
    /// - Returns: The documents `owner` still holds: one missing from them was taken over after its lease lapsed.
    func renewLeases(of owner: String, until: Date) async throws -> Set<String>

    /// Leases the named resource (an event feed's reader) to `owner` until `until`, if no one holds it, its lease
    /// has expired by `now`, or `owner` holds it already.
    /// - Returns: Whether `owner` holds it now.
    func leaseResource(_ name: String, to owner: String, until: Date, now: Date) async throws -> Bool
}
