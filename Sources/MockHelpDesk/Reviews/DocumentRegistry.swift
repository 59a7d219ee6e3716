import Foundation
import HelpDeskAPI
import SimulationSupport
import Synchronization

/// Where a decided document's webhook goes, and in what form.
struct Callback: Sendable, Hashable {
    var url: URL
    var style: CallbackPayloadStyle
}

/// The Help Desk's documents, its feed of decisions, and the long-polls waiting on either.
final class DocumentRegistry: Sendable {
    struct Record: Sendable {
        var state: DocumentState
        var metadata: [String: String]?
        var callback: Callback?
        var plan: ReviewPlan
        var ordinal: UInt64
        var submittedAt: SimulationClock.Instant
    }

    /// The key long-polls of the event feed wait on.
    enum Feed: Hashable, Sendable { case decisions }

    private struct State {
        var documents: [String: Record] = [:]
        var nextOrdinal: UInt64 = 0
        /// The feed: event n (1-based) is at index n - 1.
        var events: [DocumentEvent] = []
        var decisions: [HelpDeskDecision] = []
        var accepted = 0
        /// One URL per distinct callback, shared by every document that names it (a URL costs hundreds of bytes).
        var callbackURLs: [String: URL] = [:]
    }

    private let state = Mutex(State())
    /// Long-polls of one document, keyed by its id.
    let documentChanges = ChangeWaiters<String>()
    /// Long-polls of the event feed.
    let feedChanges = ChangeWaiters<Feed>()

    /// Stores a new pending document whose review follows `plan(ordinal)`.
    func create(
        metadata: [String: String]?,
        callback: Callback?,
        at now: SimulationClock.Instant,
        wallTime: Date,
        plan: (UInt64) -> ReviewPlan
    ) -> Record {
        state.withLock { state in
            let ordinal = state.nextOrdinal
            state.nextOrdinal += 1
            var review = plan(ordinal)
            if state.documents[review.documentId] != nil { review.documentId += "_\(ordinal)" }
            let callback = callback.map { callback in
                let key = callback.url.absoluteString
                let url = state.callbackURLs[key] ?? callback.url
                state.callbackURLs[key] = url
                return Callback(url: url, style: callback.style)
            }
            let record = Record(
                state: DocumentState(
                    documentId: review.documentId,
                    agentId: review.agentId,
                    documentStatus: .pendingReview,
                    version: 1,
                    updatedAt: wallTime
                ),
                metadata: metadata,
                callback: callback,
                plan: review,
                ordinal: ordinal,
                submittedAt: now
            )
            state.documents[review.documentId] = record
            return record
        }
    }

    /// Applies the planned verdict of a pending document, appends it to the feed and wakes its long-polls.
    /// - Returns: The decided record, or `nil` if the document is unknown or already decided.
    func decide(_ documentId: String, at now: SimulationClock.Instant, wallTime: Date) -> Record? {
        let decided = state.withLock { state -> Record? in
            guard var record = state.documents[documentId], !record.state.documentStatus.isDecided else { return nil }
            record.state.documentStatus = record.plan.verdict
            record.state.version += 1
            record.state.updatedAt = wallTime
            state.documents[documentId] = record
            state.events.append(
                DocumentEvent(
                    id: EventCursor(sequence: state.events.count + 1).description,
                    documentId: documentId,
                    agentId: record.state.agentId,
                    documentStatus: record.state.documentStatus,
                    version: record.state.version,
                    occurredAt: wallTime
                )
            )
            state.decisions.append(
                HelpDeskDecision(
                    documentId: documentId,
                    verdict: record.plan.verdict,
                    ordinal: record.ordinal,
                    submittedAt: record.submittedAt,
                    decidedAt: now
                )
            )
            if record.plan.verdict == .accepted { state.accepted += 1 }
            return record
        }
        if decided != nil {
            documentChanges.notify(documentId)
            feedChanges.notify(.decisions)
        }
        return decided
    }

    func document(_ documentId: String) -> DocumentState? {
        state.withLock { $0.documents[documentId]?.state }
    }

    /// Up to `limit` events after the event numbered `sequence`, oldest first.
    func events(after sequence: Int, limit: Int) -> [DocumentEvent] {
        state.withLock { state in
            let start = min(max(sequence, 0), state.events.count)
            return Array(state.events[start..<min(start + limit, state.events.count)])
        }
    }

    /// The number of events in the feed, which is also the sequence of the last one.
    var eventCount: Int { state.withLock { $0.events.count } }

    var decisions: [HelpDeskDecision] { state.withLock { $0.decisions } }

    var documentCounts: HelpDeskStats.DocumentCounts {
        state.withLock { state in
            let decided = state.decisions.count
            return HelpDeskStats.DocumentCounts(
                submitted: state.documents.count,
                pending: state.documents.count - decided,
                accepted: state.accepted,
                declined: decided - state.accepted
            )
        }
    }
}
