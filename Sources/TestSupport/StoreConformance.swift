import Flows
import Foundation
import HelpDeskAPI
import Testing

/// What every review store promises, one behaviour per entry, for each backend's tests to run against a store of
/// its own (as fluent-kit's `FluentBenchmarker` does for its drivers): `@Test(arguments: StoreConformance.all)`.
///
/// A behaviour gets a fresh, empty store, and a way to open the same database again (a restart), which hands the
/// reopened store to a closure for as long as it is open.
public struct StoreConformance: Sendable, CustomTestStringConvertible {
    public typealias Reopen = @Sendable (_ body: @Sendable (any ReviewStore) async throws -> Void) async throws -> Void

    public let name: String
    private let body: @Sendable (any ReviewStore, Reopen) async throws -> Void

    public var testDescription: String { name }

    private init(_ name: String, _ body: @escaping @Sendable (any ReviewStore, Reopen) async throws -> Void) {
        self.name = name
        self.body = body
    }

    /// Runs the behaviour on `store`; `reopen` opens the same database again.
    public func run(on store: any ReviewStore, reopen: @escaping Reopen) async throws {
        try await body(store, reopen)
    }

    private static func submitted(_ id: String) -> SubmitDocumentResponse {
        SubmitDocumentResponse(agentId: "agent_1", documentId: id, documentStatus: .pendingReview)
    }

    private static func insert(_ store: any ReviewStore, _ documentId: String, url: String = "https://x.test/a") async throws -> Review {
        try await store.recordSubmission(SubmissionIntent(documentUrl: url), response: submitted(documentId)).review
    }

    public static let all: [StoreConformance] = [
        StoreConformance("an intent lasts from before the submission until its row is inserted") { store, _ in
            let first = SubmissionIntent(documentUrl: "https://x.test/a", callbackURL: "http://127.0.0.1:1/document/update", callbackStyle: .thin)
            let second = SubmissionIntent(documentUrl: "https://x.test/b")
            try await store.recordIntent(first)
            try await store.recordIntent(second)
            #expect(try await store.openIntents(limit: 10) == [first, second], "oldest first, callback kept as sent")

            let recorded = try await store.recordSubmission(first, response: submitted("doc_1"))
            #expect(recorded.inserted)
            #expect(recorded.review.documentUrl == "https://x.test/a")
            #expect(recorded.review.documentStatus == .pendingReview)
            #expect(recorded.review.id != nil)
            #expect(try await store.openIntents(limit: 10) == [second])

            let again = try await store.recordSubmission(first, response: submitted("doc_1"))
            #expect(!again.inserted, "the same submission recorded twice keeps one row")
            #expect(again.review.id == recorded.review.id)
            #expect(try await store.reviews(status: nil, limit: 10).count == 1)

            try await store.discardIntent(key: second.key)
            #expect(try await store.openIntents(limit: 10).isEmpty)
        },
        StoreConformance("a verdict moves a pending row once and only once") { store, _ in
            _ = try await insert(store, "doc_1")
            let first = try await store.apply(Verdict(documentId: "doc_1", status: .accepted, webhookId: "msg_1"))
            guard case .applied(let applied) = first else {
                Issue.record("expected applied, got \(first)")
                return
            }
            #expect(applied == Verdict(documentId: "doc_1", status: .accepted, webhookId: "msg_1"))
            let row = try await store.review(documentId: "doc_1")
            #expect(row?.documentStatus == .accepted && row?.documentUrl == "https://x.test/a")
            #expect(try await store.apply(Verdict(documentId: "doc_1", status: .accepted, webhookId: "msg_1")) == .duplicateDelivery)
            #expect(try await store.apply(Verdict(documentId: "doc_1", status: .accepted, webhookId: "msg_2")) == .alreadyApplied)
            #expect(try await store.apply(Verdict(documentId: "doc_1", status: .accepted)) == .alreadyApplied)
            #expect(try await store.review(documentId: "doc_1")?.documentStatus == .accepted)
        },
        StoreConformance("a conflicting verdict changes nothing, not even the deduplication") { store, _ in
            _ = try await insert(store, "doc_1")
            _ = try await store.apply(Verdict(documentId: "doc_1", status: .declined, webhookId: "msg_1"))
            let before = try await store.review(documentId: "doc_1")
            #expect(try await store.apply(Verdict(documentId: "doc_1", status: .accepted, webhookId: "msg_2")) == .conflict(existing: .declined))
            #expect(try await store.review(documentId: "doc_1") == before)
            // Had the refused delivery's id been kept, this would be a duplicate rather than an agreeing verdict.
            #expect(try await store.apply(Verdict(documentId: "doc_1", status: .declined, webhookId: "msg_2")) == .alreadyApplied)
        },
        StoreConformance("a verdict that beats the insert is parked, then applied by it") { store, _ in
            #expect(try await store.apply(Verdict(documentId: "doc_early", status: .declined, webhookId: "msg_1")) == .parked)
            #expect(try await store.apply(Verdict(documentId: "doc_early", status: .declined, webhookId: "msg_1")) == .duplicateDelivery)
            #expect(try await store.apply(Verdict(documentId: "doc_early", status: .accepted)) == .conflict(existing: .declined))
            let review = try await insert(store, "doc_early")
            #expect(review.documentStatus == .declined)
            #expect(try await store.review(documentId: "doc_early")?.documentStatus == .declined)
            #expect(try await store.apply(Verdict(documentId: "doc_early", status: .accepted)) == .conflict(existing: .declined))
        },
        StoreConformance("events and their cursor land together and survive a restart") { store, reopen in
            _ = try await insert(store, "doc_1")
            _ = try await insert(store, "doc_2", url: "https://x.test/b")
            let events = [
                DocumentEvent(id: "evt_1", documentId: "doc_1", agentId: "agent_1", documentStatus: .accepted, version: 2, occurredAt: Date()),
                DocumentEvent(id: "evt_2", documentId: "doc_other", agentId: "agent_1", documentStatus: .declined, version: 2, occurredAt: Date()),
            ]
            #expect(try await store.eventCursor(named: "feed") == nil)
            let outcomes = try await store.apply(events: events, advancingCursor: "feed", to: "evt_2")
            #expect(outcomes.count == 2)
            #expect(outcomes.last == .parked, "a decision for a document not inserted yet waits for its row")
            #expect(try await store.eventCursor(named: "feed") == "evt_2")
            _ = try await store.apply(events: [], advancingCursor: "feed", to: "evt_3")
            #expect(try await store.eventCursor(named: "feed") == "evt_3", "an empty page still moves the cursor")

            try await reopen { (reopened: any ReviewStore) async throws in
                #expect(try await reopened.eventCursor(named: "feed") == "evt_3")
                #expect(try await reopened.review(documentId: "doc_1")?.documentStatus == .accepted)
                #expect(try await reopened.pendingReviews(createdBefore: Date().addingTimeInterval(60), limit: 10).map(\.documentId) == ["doc_2"])
            }
        },
        StoreConformance("thin notifications are kept until fetched") { store, reopen in
            _ = try await insert(store, "doc_1")
            #expect(try await store.recordThinNotification(documentId: "doc_1", webhookId: "msg_1"))
            #expect(try await !store.recordThinNotification(documentId: "doc_1", webhookId: "msg_1"))
            try await reopen { (reopened: any ReviewStore) async throws in
                #expect(try await reopened.pendingThinNotifications(limit: 10) == ["doc_1"], "a restart still fetches it")
            }
            guard case .applied = try await store.applyFetched(Verdict(documentId: "doc_1", status: .accepted)) else {
                Issue.record("expected the fetched verdict to apply")
                return
            }
            #expect(try await store.pendingThinNotifications(limit: 10).isEmpty)
        },
        StoreConformance("reviews list newest first and pending ones oldest first") { store, _ in
            for index in 1...4 { _ = try await insert(store, "doc_\(index)", url: "https://x.test/\(index)") }
            _ = try await store.apply(Verdict(documentId: "doc_2", status: .accepted))
            _ = try await store.apply(Verdict(documentId: "doc_3", status: .declined))
            #expect(try await store.reviews(status: nil, limit: 3).map(\.documentId) == ["doc_4", "doc_3", "doc_2"])
            #expect(try await store.reviews(status: .accepted, limit: 10).map(\.documentId) == ["doc_2"])
            #expect(try await store.pendingReviews(createdBefore: Date().addingTimeInterval(60), limit: 10).map(\.documentId) == ["doc_1", "doc_4"])
            #expect(try await store.pendingReviews(createdBefore: Date().addingTimeInterval(-3600), limit: 10).isEmpty)
            #expect(try await store.review(documentId: "doc_missing") == nil)
        },
        StoreConformance("no verdict is lost when webhooks race their inserts, many writers at once") { store, _ in
            // Each document's submission and its webhook run at the same moment, 200 pairs at once: whichever
            // commits first, the row must end with the verdict.
            let documents = 200
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<documents {
                    group.addTask { _ = try await insert(store, "doc_race_\(index)") }
                    group.addTask {
                        _ = try await store.apply(Verdict(documentId: "doc_race_\(index)", status: index % 3 == 0 ? .declined : .accepted, webhookId: "msg_race_\(index)"))
                    }
                }
                try await group.waitForAll()
            }
            let rows = try await store.reviews(status: nil, limit: 10_000)
            #expect(rows.count == documents)
            let pending = rows.filter { $0.documentStatus == .pendingReview }.count
            #expect(pending == 0, "\(pending) rows lost their webhook")
            let wrong = rows.filter { row in
                let index = Int(row.documentId.dropFirst("doc_race_".count)) ?? -1
                return row.documentStatus != .pendingReview && row.documentStatus != (index % 3 == 0 ? .declined : .accepted)
            }
            #expect(wrong.isEmpty, "rows with another document's verdict: \(wrong.prefix(3).map(\.documentId))")
        },
        StoreConformance("a document lease is held by one instance until it lapses") { store, _ in
            _ = try await insert(store, "doc_1")
            let now = Date()
            #expect(try await store.leaseDocuments(["doc_1"], to: "a", until: now + 60, now: now) == ["doc_1"])
            #expect(try await store.leaseDocuments(["doc_1"], to: "b", until: now + 60, now: now).isEmpty, "held by a")
            #expect(try await store.leaseDocuments(["doc_1"], to: "a", until: now + 90, now: now + 1) == ["doc_1"], "its holder renews it")
            #expect(try await store.leaseDocuments(["doc_1"], to: "b", until: now + 200, now: now + 91) == ["doc_1"], "lapsed, it moves")
            #expect(try await store.leaseDocuments(["doc_1"], to: "a", until: now + 300, now: now + 100).isEmpty)
        },
        StoreConformance("pending documents whose lease lapsed, or that never had one, are taken over once") { store, _ in
            for index in 1...4 { _ = try await insert(store, "doc_\(index)", url: "https://x.test/\(index)") }
            let now = Date()
            _ = try await store.leaseDocuments(["doc_1"], to: "a", until: now + 60, now: now)
            _ = try await store.leaseDocuments(["doc_2", "doc_3"], to: "a", until: now - 1, now: now - 10)
            _ = try await store.apply(Verdict(documentId: "doc_3", status: .accepted))
            let taken = try await store.takeOverDocuments(to: "b", until: now + 60, now: now, unleasedBefore: now + 1, reclaimingOwn: false, limit: 10)
            #expect(taken.map(\.documentId) == ["doc_2", "doc_4"], "not doc_1 (held), not doc_3 (decided)")
            #expect(try await store.takeOverDocuments(to: "c", until: now + 60, now: now, unleasedBefore: now + 1, reclaimingOwn: false, limit: 10).isEmpty)
            #expect(try await store.takeOverDocuments(to: "c", until: now + 60, now: now, unleasedBefore: now - 3600, reclaimingOwn: false, limit: 10).isEmpty,
                    "a document never leased is left to its instance for a while")
            let reclaimed = try await store.takeOverDocuments(to: "a", until: now + 60, now: now, unleasedBefore: now - 3600, reclaimingOwn: true, limit: 10)
            #expect(reclaimed.map(\.documentId) == ["doc_1"], "an instance starting again takes back what it held")
        },
        StoreConformance("renewing extends every lease of its holder, documents and feeds") { store, _ in
            _ = try await insert(store, "doc_1")
            let now = Date()
            _ = try await store.leaseDocuments(["doc_1"], to: "a", until: now + 1, now: now)
            #expect(try await store.leaseResource("feed", to: "a", until: now + 1, now: now))
            #expect(try await store.renewLeases(of: "a", until: now + 100) == ["doc_1"], "what a still holds")
            #expect(try await store.leaseDocuments(["doc_1"], to: "b", until: now + 200, now: now + 50).isEmpty)
            #expect(try await !store.leaseResource("feed", to: "b", until: now + 200, now: now + 50))
            #expect(try await store.leaseResource("feed", to: "b", until: now + 200, now: now + 101), "lapsed, the feed moves")
        },
        StoreConformance("instances taking over at once share the documents without overlap") { store, _ in
            let documents = 60
            for index in 0..<documents { _ = try await insert(store, "doc_\(index)", url: "https://x.test/\(index)") }
            let now = Date()
            let taken = try await withThrowingTaskGroup(of: [String].self) { group in
                for instance in 0..<6 {
                    group.addTask {
                        var mine: [String] = []
                        while true {
                            let batch = try await store.takeOverDocuments(to: "i\(instance)", until: now + 60, now: now, unleasedBefore: now + 1, reclaimingOwn: false, limit: 7)
                            guard !batch.isEmpty else { return mine }
                            mine += batch.map(\.documentId)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let all = taken.flatMap { $0 }
            #expect(all.count == documents, "every document taken once, not \(all.count) times")
            #expect(Set(all).count == documents)
        },
        StoreConformance("one delivery sent many times at once is applied once") { store, _ in
            _ = try await insert(store, "doc_1")
            let outcomes = try await withThrowingTaskGroup(of: VerdictOutcome.self) { group in
                for _ in 0..<20 { group.addTask { try await store.apply(Verdict(documentId: "doc_1", status: .accepted, webhookId: "msg_same")) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { if case .applied = $0 { true } else { false } }.count == 1)
            #expect(outcomes.filter { $0 == .duplicateDelivery }.count == 19)
        },
    ]
}
