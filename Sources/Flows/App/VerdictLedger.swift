import Foundation
import HelpDeskAPI
import Logging
import SimulationSupport
import Synchronization

/// Where a verdict was learned.
public enum VerdictSource: String, Sendable, Hashable, CaseIterable {
    case webhook
    case thinFetch = "thin_fetch"
    case poll
    case eventFeed = "event_feed"
    /// Pushed into the event stream our app holds open.
    case stream
    case reconciliation
    /// A verdict that arrived before its row and was applied when the row was inserted.
    case early
}

/// A row that just got its verdict.
public struct VerdictApplied: Sendable, Hashable {
    public var documentId: String
    public var status: DocumentStatus
    public var source: VerdictSource
    /// Model time when the row was committed with its verdict.
    public var appliedAt: SimulationClock.Instant
}

/// What happened to every verdict our app learned.
public struct VerdictCounts: Sendable, Hashable {
    public var applied = 0
    public var alreadyApplied = 0
    public var duplicatesSuppressed = 0
    public var conflicts = 0
    public var parked = 0

    public init() {}
}

/// Applies verdicts through the store and tells listeners about every row that changed.
///
/// Every path by which our app learns a verdict (receiver, thin fetch, pollers, event feed) goes through here, so
/// counts and listeners see all of them the same way.
public final class VerdictLedger: Sendable {
    let store: any ReviewStore
    private let clock: SimulationClock
    private let logger: Logger
    private let listeners = Mutex<[@Sendable (VerdictApplied) -> Void]>([])
    private let counts = Mutex(VerdictCounts())
    private let appliedChanges = ChangeWaiters<Int>()

    init(store: any ReviewStore, clock: SimulationClock, logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    /// Calls `listener` for every row that gets its verdict from now on.
    public func onVerdictApplied(_ listener: @escaping @Sendable (VerdictApplied) -> Void) {
        listeners.withLock { $0.append(listener) }
    }

    public var snapshot: VerdictCounts { counts.withLock { $0 } }

    /// Returns once at least `count` rows have got their verdict through this ledger.
    public func waitForApplied(count: Int) async {
        await waitForCounts { $0.applied >= count }
    }

    /// Returns once the counts satisfy `predicate`, checked now and after every verdict this ledger records.
    public func waitForCounts(where predicate: @escaping @Sendable (VerdictCounts) -> Bool) async {
        while !predicate(snapshot), !Task.isCancelled {
            await appliedChanges.wait(for: 0) { predicate(self.snapshot) }
        }
    }

    func apply(_ verdict: Verdict, source: VerdictSource) async throws -> VerdictOutcome {
        let outcome = try await store.apply(verdict)
        record(outcome, source: source, documentId: verdict.documentId)
        return outcome
    }

    func applyFetched(_ verdict: Verdict) async throws -> VerdictOutcome {
        let outcome = try await store.applyFetched(verdict)
        record(outcome, source: .thinFetch, documentId: verdict.documentId)
        return outcome
    }

    func apply(events: [DocumentEvent], advancingCursor name: String, to cursor: String, source: VerdictSource) async throws -> [VerdictOutcome] {
        let outcomes = try await store.apply(events: events, advancingCursor: name, to: cursor)
        for (event, outcome) in zip(events.filter(\.documentStatus.isDecided), outcomes) {
            record(outcome, source: source, documentId: event.documentId)
        }
        return outcomes
    }

    func recordSubmission(_ intent: SubmissionIntent, response: SubmitDocumentResponse) async throws -> Review {
        let (review, inserted) = try await store.recordSubmission(intent, response: response)
        if inserted, review.documentStatus.isDecided {
            counts.withLock { $0.applied += 1 }
            notify(VerdictApplied(documentId: review.documentId, status: review.documentStatus, source: .early, appliedAt: clock.now))
        }
        return review
    }

    /// Records a thin webhook's notification (see ``ReviewStore/recordThinNotification(documentId:webhookId:)``); a new
    /// one counts as learned, since the fetch it leads to is certain; a repeated `webhook-id` as a suppressed duplicate.
    func recordThinNotification(documentId: String, webhookId: String) async throws -> Bool {
        let recorded = try await store.recordThinNotification(documentId: documentId, webhookId: webhookId)
        if recorded {
            LearningScope.markLearned()
        } else {
            counts.withLock { $0.duplicatesSuppressed += 1 }
        }
        return recorded
    }

    private func record(_ outcome: VerdictOutcome, source: VerdictSource, documentId: String) {
        counts.withLock { counts in
            switch outcome {
            case .applied: counts.applied += 1
            case .alreadyApplied: counts.alreadyApplied += 1
            case .duplicateDelivery: counts.duplicatesSuppressed += 1
            case .conflict: counts.conflicts += 1
            case .parked: counts.parked += 1
            }
        }
        if outcome.changedRow { LearningScope.markLearned() }
        defer { appliedChanges.notify(0) }
        switch outcome {
        case .applied(let verdict):
            logger.debug("verdict applied", metadata: ["document.id": "\(verdict.documentId)", "source": "\(source.rawValue)"])
            notify(VerdictApplied(documentId: verdict.documentId, status: verdict.status, source: source, appliedAt: clock.now))
        case .conflict(let existing):
            logger.warning(
                "conflicting verdict refused",
                metadata: ["document.id": "\(documentId)", "existing": "\(existing.rawValue)", "source": "\(source.rawValue)"]
            )
        default:
            break
        }
    }

    private func notify(_ event: VerdictApplied) {
        for listener in listeners.withLock({ $0 }) { listener(event) }
        appliedChanges.notify(0)
    }
}
