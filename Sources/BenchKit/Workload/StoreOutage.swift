import Flows
import Foundation
import HelpDeskAPI
import SimulationSupport
import Synchronization

/// A window in which our app's database is unavailable, model time from the start of the submissions: every store
/// operation fails with ``StoreUnavailable`` (as SQLite busy past its timeout, or a PostgreSQL server refusing
/// connections, would), and the receiver answers 503 with `Retry-After`.
public struct StoreOutageWindow: Sendable, Hashable {
    public var start: Duration
    public var length: Duration

    public init(start: Duration, length: Duration) {
        self.start = start
        self.length = length
    }

    public var end: Duration { start + length }
}

/// The clock of a ``StoreOutageWindow``: opened at the start of the submissions, asked before every store operation.
final class StoreOutageGate: Sendable {
    let window: StoreOutageWindow
    let clock: SimulationClock
    private let start = Mutex<SimulationClock.Instant?>(nil)

    init(window: StoreOutageWindow, clock: SimulationClock) {
        self.window = window
        self.clock = clock
    }

    /// Marks the start of the run, which the window is measured from.
    func begin() {
        let now = clock.now
        start.withLock { $0 = $0 ?? now }
    }

    func check() throws(StoreUnavailable) {
        guard let start = start.withLock({ $0 }) else { return }
        let elapsed = start.duration(to: clock.now)
        if elapsed >= window.start, elapsed < window.end { throw StoreUnavailable("the database is unavailable (fault injection)") }
    }
}

/// A store that fails every operation while its gate's window is open, and passes everything through otherwise.
struct UnavailableWindowStore: ReviewStore {
    let base: any ReviewStore
    let gate: StoreOutageGate

    func recordIntent(_ intent: SubmissionIntent) async throws {
        try gate.check()
        try await base.recordIntent(intent)
    }

    func discardIntent(key: String) async throws {
        try gate.check()
        try await base.discardIntent(key: key)
    }

    func openIntents(limit: Int) async throws -> [SubmissionIntent] {
        try gate.check()
        return try await base.openIntents(limit: limit)
    }

    func recordSubmission(_ intent: SubmissionIntent, response: SubmitDocumentResponse) async throws -> (review: Review, inserted: Bool) {
        try gate.check()
        return try await base.recordSubmission(intent, response: response)
    }

    func apply(_ verdict: Verdict) async throws -> VerdictOutcome {
        try gate.check()
        return try await base.apply(verdict)
    }

    func apply(events: [DocumentEvent], advancingCursor name: String, to cursor: String) async throws -> [VerdictOutcome] {
        try gate.check()
        return try await base.apply(events: events, advancingCursor: name, to: cursor)
    }

    func eventCursor(named name: String) async throws -> String? {
        try gate.check()
        return try await base.eventCursor(named: name)
    }

    func review(documentId: String) async throws -> Review? {
        try gate.check()
        return try await base.review(documentId: documentId)
    }

    func reviews(status: DocumentStatus?, limit: Int) async throws -> [Review] {
        try gate.check()
        return try await base.reviews(status: status, limit: limit)
    }

    func pendingReviews(createdBefore: Date, limit: Int) async throws -> [Review] {
        try gate.check()
        return try await base.pendingReviews(createdBefore: createdBefore, limit: limit)
    }

    func recordThinNotification(documentId: String, webhookId: String) async throws -> Bool {
        try gate.check()
        return try await base.recordThinNotification(documentId: documentId, webhookId: webhookId)
    }

    func pendingThinNotifications(limit: Int) async throws -> [String] {
        try gate.check()
        return try await base.pendingThinNotifications(limit: limit)
    }

    func applyFetched(_ verdict: Verdict) async throws -> VerdictOutcome {
        try gate.check()
        return try await base.applyFetched(verdict)
    }

    func leaseDocuments(_ documentIds: [String], to owner: String, until: Date, now: Date) async throws -> [String] {
        try gate.check()
        return try await base.leaseDocuments(documentIds, to: owner, until: until, now: now)
    }

    func takeOverDocuments(to owner: String, until: Date, now: Date, unleasedBefore: Date, reclaimingOwn: Bool, limit: Int) async throws -> [Review] {
        try gate.check()
        return try await base.takeOverDocuments(to: owner, until: until, now: now, unleasedBefore: unleasedBefore, reclaimingOwn: reclaimingOwn, limit: limit)
    }

    func renewLeases(of owner: String, until: Date) async throws -> Set<String> {
        try gate.check()
        return try await base.renewLeases(of: owner, until: until)
    }

    func leaseResource(_ name: String, to owner: String, until: Date, now: Date) async throws -> Bool {
        try gate.check()
        return try await base.leaseResource(name, to: owner, until: until, now: now)
    }
}
