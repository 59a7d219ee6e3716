import Dispatch
import SimulationSupport
import Synchronization

/// Collects concurrent writes into shared transactions (group commit), each caller answered only after the
/// transaction holding its write has committed: exactly as durable as one transaction per write, for a fraction of
/// the commits.
///
/// Writes wait in one queue. The first write to find it idle starts a drain on the committer's own serial queue,
/// which flushes everything waiting (up to `maxBatch` at a time) and keeps flushing until the queue is empty, resuming
/// each caller as its batch commits. No timer waits for a batch to fill: a lone write is flushed at once, and under
/// load the writes that arrive during one flush make up the next, with no hop between the two flushes.
public final class GroupCommit<Write: Sendable, Outcome: Sendable>: Sendable {
    /// Commits a batch and returns one result per write, in order. It runs on the committer's queue and may block
    /// it (a database write); a write that fails must fail alone.
    public typealias Flush = @Sendable ([Write]) -> [Result<Outcome, any Error>]

    private struct Waiter: Sendable {
        var write: Write
        var continuation: CheckedContinuation<Outcome, any Error>
    }

    private struct State: Sendable {
        var draining = false
        var waiting: [Waiter] = []
        var batches = 0
        var writes = 0
    }

    private let state = Mutex(State())
    /// Notified whenever a write starts waiting, for tests that must know a batch is queued.
    private let waitingChanges = ChangeWaiters<Int>()
    private let queue: DispatchQueue
    private let maxBatch: Int
    private let flush: Flush

    /// - Parameters:
    ///   - label: The committer queue's label, for debuggers and profiles.
    ///   - maxBatch: The most writes one transaction takes.
    ///   - flush: Commits one batch.
    public init(label: String, maxBatch: Int = 256, flush: @escaping Flush) {
        precondition(maxBatch > 0)
        self.queue = DispatchQueue(label: label)
        self.maxBatch = maxBatch
        self.flush = flush
    }

    /// Batches committed so far, and the writes they held.
    public var statistics: (batches: Int, writes: Int) {
        state.withLock { ($0.batches, $0.writes) }
    }

    /// Commits `write` with whatever else is waiting, and returns its outcome once committed.
    public func commit(_ write: Write) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            let starts = state.withLock { state -> Bool in
                state.waiting.append(Waiter(write: write, continuation: continuation))
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            waitingChanges.notify(0)
            if starts { queue.async { self.drain() } }
        }
    }

    /// Writes waiting for a flush, the batch being flushed not included.
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Returns once at least `count` writes wait for a flush.
    func waitUntilWaiting(_ count: Int) async {
        while waitingCount < count {
            await waitingChanges.wait(for: 0) { self.waitingCount >= count }
        }
    }

    private func drain() {
        while true {
            let batch = state.withLock { state -> [Waiter] in
                let taken = Array(state.waiting.prefix(maxBatch))
                state.waiting.removeFirst(taken.count)
                if taken.isEmpty {
                    state.draining = false
                } else {
                    state.batches += 1
                    state.writes += taken.count
                }
                return taken
            }
            guard !batch.isEmpty else { return }
            var results = flush(batch.map(\.write))
            if results.count != batch.count {
                results = Array(repeating: .failure(GroupCommitError()), count: batch.count)
            }
            for (waiter, result) in zip(batch, results) {
                waiter.continuation.resume(with: result)
            }
        }
    }
}

/// A flush that did not return one result per write.
public struct GroupCommitError: Error, CustomStringConvertible {
    public var description: String { "a group commit returned the wrong number of results" }
}
