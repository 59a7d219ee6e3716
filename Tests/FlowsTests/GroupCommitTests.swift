import Dispatch
import Foundation
import GRDB
import HelpDeskAPI
import SimulationSupport
import Synchronization
import Testing

@testable import Flows

struct GroupCommitTests {
    /// A flush that reports each batch and holds the first one until released.
    final class HeldFlush: Sendable {
        let batches = Mutex<[[Int]]>([])
        let release = DispatchSemaphore(value: 0)
        let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)

        func flush(_ writes: [Int]) -> [Result<Int, any Error>] {
            let first = batches.withLock { batches in
                batches.append(writes)
                return batches.count == 1
            }
            if first {
                startedContinuation.yield()
                release.wait()
            }
            return writes.map { $0 < 0 ? .failure(BatchTestError(write: $0)) : .success($0 * 10) }
        }
    }

    struct BatchTestError: Error, Equatable {
        var write: Int
    }

    @Test func writesThatArriveDuringAFlushShareTheNextTransaction() async throws {
        let held = HeldFlush()
        let commit = GroupCommit<Int, Int>(label: "test") { held.flush($0) }
        async let first = commit.commit(1)
        var started = held.started.makeAsyncIterator()
        await started.next()
        let others = Task {
            try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for write in 2...10 { group.addTask { (write, try await commit.commit(write)) } }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
        }
        await commit.waitUntilWaiting(9)
        held.release.signal()
        #expect(try await first == 10)
        let outcomes = try await others.value
        #expect(outcomes == Dictionary(uniqueKeysWithValues: (2...10).map { ($0, $0 * 10) }), "each caller gets its own outcome")
        let batches = held.batches.withLock { $0 }
        #expect(batches.count == 2, "one transaction for the first write, one for the nine that waited")
        #expect(batches.last.map { Set($0) } == Set(2...10))
        #expect(commit.statistics.batches == 2 && commit.statistics.writes == 10)
    }

    @Test func aFailedWriteFailsOnlyItsCaller() async throws {
        let held = HeldFlush()
        let commit = GroupCommit<Int, Int>(label: "test") { held.flush($0) }
        async let first = commit.commit(1)
        var started = held.started.makeAsyncIterator()
        await started.next()
        let good = Task { try await commit.commit(2) }
        await commit.waitUntilWaiting(1)
        let bad = Task { try await commit.commit(-3) }
        await commit.waitUntilWaiting(2)
        held.release.signal()
        #expect(try await first == 10)
        #expect(try await good.value == 20)
        await #expect(throws: BatchTestError(write: -3)) { try await bad.value }
    }

    @Test func aBatchWithAFailingWriteCommitsTheOthersOneByOne() async throws {
        try await withTemporaryStore { store, _ in
            let intent = SubmissionIntent(documentUrl: "https://x.test/a")
            let results = try await store.pool.writeWithoutTransaction { db in
                SQLiteReviewStore.flush(
                    [.recordIntent(intent), .recordIntent(intent), .recordIntent(SubmissionIntent(documentUrl: "https://x.test/b"))],
                    in: db,
                    at: Date()
                )
            }
            #expect(results.count == 3)
            #expect((try? results[0].get()) != nil, "the first intent is stored")
            #expect((try? results[1].get()) == nil, "the same key twice breaks the primary key: that write fails")
            #expect((try? results[2].get()) != nil, "a write after the failing one is stored")
            #expect(try await store.openIntents(limit: 10).map(\.documentUrl) == ["https://x.test/a", "https://x.test/b"])
        }
    }

    @Test func concurrentVerdictsAreEachAppliedOnceAndDeduplicated() async throws {
        try await withTemporaryStore { store, _ in
            for index in 0..<50 {
                _ = try await store.recordSubmission(
                    SubmissionIntent(documentUrl: "https://x.test/\(index)"),
                    response: SubmitDocumentResponse(agentId: "agent_1", documentId: "doc_\(index)", documentStatus: .pendingReview)
                )
            }
            // Every document gets its verdict twice under two webhook-ids, and the second id twice.
            let outcomes = try await withThrowingTaskGroup(of: VerdictOutcome.self) { group in
                for index in 0..<50 {
                    for webhook in ["a", "b", "b"] {
                        group.addTask {
                            try await store.apply(Verdict(documentId: "doc_\(index)", status: .accepted, webhookId: "msg_\(index)_\(webhook)"))
                        }
                    }
                }
                return try await group.reduce(into: [VerdictOutcome]()) { $0.append($1) }
            }
            #expect(outcomes.filter { if case .applied = $0 { true } else { false } }.count == 50)
            #expect(outcomes.filter { $0 == .alreadyApplied }.count == 50)
            #expect(outcomes.filter { $0 == .duplicateDelivery }.count == 50)
            #expect(try await store.reviews(status: .accepted, limit: 100).count == 50)
        }
    }

    @Test func storedTimestampsMatchGRDBsOwnFormat() {
        var generator = SeededGenerator(seed: 2026)
        let dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -0.0005), Date(timeIntervalSince1970: 951_782_400.9999)]
            + (0..<2000).map { _ in Date(timeIntervalSince1970: Double.random(in: -2_208_988_800...7_258_118_400, using: &generator)) }
        for date in dates {
            guard case .string(let expected) = date.databaseValue.storage else {
                Issue.record("GRDB stores a date as text")
                return
            }
            #expect(StorageTimestamp.string(from: date) == expected, "\(date.timeIntervalSince1970)")
        }
    }
}
