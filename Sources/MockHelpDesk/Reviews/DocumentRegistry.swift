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
///
/// A run of a million documents keeps all of them, so each is stored compactly (about 60 bytes, no string or
/// object of its own): its id as the 64-bit number in `doc_<16 hex digits>`, its agent, callback and metadata as
/// indexes into shared tables, instants as numbers. Full values (``Record``, ``DocumentState``, ``DocumentEvent``)
/// are built when asked for.
final class DocumentRegistry: Sendable {
    /// A document as the rest of the Help Desk sees it.
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

    /// One document, compactly.
    private struct Stored: Sendable {
        /// The 16 hex digits of `doc_<hex>`; for an id that is not of that form, see `State.irregularIds`.
        var key: UInt64
        var agent: UInt16
        var status: DocumentStatus
        var verdict: DocumentStatus
        var version: Int32
        /// Index into `State.callbacks`, or -1.
        var callback: Int32
        /// Index into `State.metadata`, or -1.
        var metadata: Int32
        /// Seconds since 1970.
        var updatedAt: Double
        var delayNanoseconds: Int64
        var submittedNanoseconds: Int64
        var decidedNanoseconds: Int64

        var submittedAt: SimulationClock.Instant { SimulationClock.Instant(offset: .nanoseconds(submittedNanoseconds)) }
        var decidedAt: SimulationClock.Instant { SimulationClock.Instant(offset: .nanoseconds(decidedNanoseconds)) }
    }

    private struct State {
        var documents: [Stored] = []
        /// Ordinal by id, for ids of the form `doc_<16 hex digits>`.
        var byKey: [UInt64: Int32] = [:]
        /// Ids of any other form (a seeded id that collided gets a suffix), both ways.
        var irregularIds: [String: Int32] = [:]
        var irregularNames: [Int32: String] = [:]
        /// The feed: event n (1-based) is the decision of document `events[n - 1]`.
        var events: [Int32] = []
        var accepted = 0
        /// One entry per distinct callback, shared by every document that names it (a URL costs hundreds of bytes).
        var callbacks = InternedValues<Callback>()
        var metadata: [[String: String]] = []
        var agents = InternedValues<String>()

        func ordinal(of documentId: String) -> Int32? {
            if let key = DocumentRegistry.key(of: documentId), let ordinal = byKey[key] { return ordinal }
            return irregularIds[documentId]
        }

        func documentId(_ ordinal: Int32) -> String {
            irregularNames[ordinal] ?? DocumentRegistry.name(of: documents[Int(ordinal)].key)
        }

        func record(_ ordinal: Int32) -> Record {
            let stored = documents[Int(ordinal)]
            let documentId = documentId(ordinal)
            let agentId = agents[Int(stored.agent)]
            return Record(
                state: DocumentState(
                    documentId: documentId,
                    agentId: agentId,
                    documentStatus: stored.status,
                    version: Int(stored.version),
                    updatedAt: Date(timeIntervalSince1970: stored.updatedAt)
                ),
                metadata: stored.metadata >= 0 ? metadata[Int(stored.metadata)] : nil,
                callback: stored.callback >= 0 ? callbacks[Int(stored.callback)] : nil,
                plan: ReviewPlan(documentId: documentId, agentId: agentId, delay: .nanoseconds(stored.delayNanoseconds), verdict: stored.verdict),
                ordinal: UInt64(ordinal),
                submittedAt: stored.submittedAt
            )
        }
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
            let ordinal = Int32(state.documents.count)
            var review = plan(UInt64(ordinal))
            if state.ordinal(of: review.documentId) != nil { review.documentId += "_\(ordinal)" }
            // Equal URLs parsed twice are equal values; the first one is kept and shared.
            let callbackSlot = callback.map { Int32(state.callbacks.index(of: $0)) } ?? -1
            var metadataSlot: Int32 = -1
            if let metadata {
                metadataSlot = Int32(state.metadata.count)
                state.metadata.append(metadata)
            }
            let agent = UInt16(state.agents.index(of: review.agentId))
            let key = Self.key(of: review.documentId)
            state.documents.append(
                Stored(
                    key: key ?? 0,
                    agent: agent,
                    status: .pendingReview,
                    verdict: review.verdict,
                    version: 1,
                    callback: callbackSlot,
                    metadata: metadataSlot,
                    updatedAt: wallTime.timeIntervalSince1970,
                    delayNanoseconds: review.delay.nanosecondsValue,
                    submittedNanoseconds: now.offset.nanosecondsValue,
                    decidedNanoseconds: -1
                )
            )
            if let key {
                state.byKey[key] = ordinal
            } else {
                state.irregularIds[review.documentId] = ordinal
                state.irregularNames[ordinal] = review.documentId
            }
            // The plan as drawn, its delay to the attosecond: the stored copy is rounded to the nanosecond.
            var record = state.record(ordinal)
            record.plan = review
            return record
        }
    }

    /// Applies the planned verdict of a pending document, appends it to the feed and wakes its long-polls.
    /// - Returns: The decided record, or `nil` if the document is unknown or already decided.
    func decide(_ documentId: String, at now: SimulationClock.Instant, wallTime: Date) -> Record? {
        let decided = state.withLock { state -> Record? in
            guard let ordinal = state.ordinal(of: documentId) else { return nil }
            var stored = state.documents[Int(ordinal)]
            guard !stored.status.isDecided else { return nil }
            stored.status = stored.verdict
            stored.version += 1
            stored.updatedAt = wallTime.timeIntervalSince1970
            stored.decidedNanoseconds = now.offset.nanosecondsValue
            state.documents[Int(ordinal)] = stored
            state.events.append(ordinal)
            if stored.verdict == .accepted { state.accepted += 1 }
            return state.record(ordinal)
        }
        if decided != nil {
            documentChanges.notify(documentId)
            feedChanges.notify(.decisions)
        }
        return decided
    }

    func document(_ documentId: String) -> DocumentState? {
        state.withLock { state in state.ordinal(of: documentId).map { state.record($0).state } }
    }

    /// Up to `limit` events after the event numbered `sequence`, oldest first.
    func events(after sequence: Int, limit: Int) -> [DocumentEvent] {
        state.withLock { state in
            let start = min(max(sequence, 0), state.events.count)
            return state.events[start..<min(start + limit, state.events.count)].enumerated().map { offset, ordinal in
                let stored = state.documents[Int(ordinal)]
                return DocumentEvent(
                    id: EventCursor(sequence: start + offset + 1).description,
                    documentId: state.documentId(ordinal),
                    agentId: state.agents[Int(stored.agent)],
                    documentStatus: stored.status,
                    version: Int(stored.version),
                    occurredAt: Date(timeIntervalSince1970: stored.updatedAt)
                )
            }
        }
    }

    /// When the decision of event `sequence` (1-based) was made.
    func decidedAt(event sequence: Int) -> SimulationClock.Instant {
        state.withLock { state in state.documents[Int(state.events[sequence - 1])].decidedAt }
    }

    /// The number of events in the feed, which is also the sequence of the last one.
    var eventCount: Int { state.withLock { $0.events.count } }

    /// Every decision, in the order made.
    var decisions: [HelpDeskDecision] {
        state.withLock { state in
            state.events.map { ordinal in
                let stored = state.documents[Int(ordinal)]
                return HelpDeskDecision(
                    documentId: state.documentId(ordinal),
                    verdict: stored.verdict,
                    ordinal: UInt64(ordinal),
                    submittedAt: stored.submittedAt,
                    decidedAt: stored.decidedAt
                )
            }
        }
    }

    /// The answer `POST /document` gave for a document: its ids, pending.
    func submitResponse(ordinal: UInt64) -> SubmitDocumentResponse? {
        state.withLock { state in
            guard ordinal < UInt64(state.documents.count) else { return nil }
            let agent = state.documents[Int(ordinal)].agent
            return SubmitDocumentResponse(agentId: state.agents[Int(agent)], documentId: state.documentId(Int32(ordinal)), documentStatus: .pendingReview)
        }
    }

    /// The submission ordinal of a document, if it exists.
    func ordinal(of documentId: String) -> UInt64? {
        state.withLock { $0.ordinal(of: documentId).map(UInt64.init) }
    }

    /// When a document was decided and with which verdict, if it has been.
    func decision(ordinal: UInt64) -> (decidedAt: SimulationClock.Instant, verdict: DocumentStatus)? {
        state.withLock { state in
            guard ordinal < UInt64(state.documents.count) else { return nil }
            let stored = state.documents[Int(ordinal)]
            guard stored.status.isDecided else { return nil }
            return (stored.decidedAt, stored.verdict)
        }
    }

    var documentCounts: HelpDeskStats.DocumentCounts {
        state.withLock { state in
            let decided = state.events.count
            return HelpDeskStats.DocumentCounts(
                submitted: state.documents.count,
                pending: state.documents.count - decided,
                accepted: state.accepted,
                declined: decided - state.accepted
            )
        }
    }

    /// The number in `doc_<16 lowercase hex digits>`, or `nil` for an id of any other form.
    static func key(of documentId: String) -> UInt64? {
        HexIdentifier.number(in: documentId, prefix: "doc_")
    }

    /// `doc_<16 hex digits>` for a key.
    static func name(of key: UInt64) -> String {
        HexIdentifier.number(key).text(prefix: "doc_")
    }
}
