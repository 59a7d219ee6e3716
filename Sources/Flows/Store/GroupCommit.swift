import Dispatch
import Foundation
import SimulationSupport
import Synchronization

/// Collects concurrent writes into shared transactions (group commit), each caller answered only after the
/// transaction holding its write has committed: exactly as durable as one transaction per write, for a fraction of
/// the commits.
///
/// Writes wait in one queue, drained by a committer thread of the group's own: the first write to find it idle
/// wakes it, and it flushes everything waiting (up to `maxBatch` at a time) until a flush ends with nothing
/// waiting, resuming each caller as its batch commits. No timer waits for a batch to fill: a lone write is flushed
/// at once, and under load the writes that arrive during one flush make up the next, with no hop between the two
/// flushes. One thread, rather than a dispatch queue whose work any pool thread may pick up, makes a sequence of
/// writes take the same path every time, down to the allocations: the gate counts them per operation.
public final class GroupCommit<Write: Sendable, Outcome: Sendable>: Sendable {
    /// Commits a batch and returns one result per write, in order. It runs on the committer thread and may block
    /// it (a database write); a write that fails must fail alone.
    public typealias Flush = @Sendable ([Write]) -> [Result<Outcome, any Error>]

    private let committer: Committer

    /// - Parameters:
    ///   - label: The committer thread's name, for debuggers and profiles.
    ///   - maxBatch: The most writes one transaction takes.
    ///   - flush: Commits one batch.
    public init(label: String, maxBatch: Int = 256, flush: @escaping Flush) {
        precondition(maxBatch > 0)
        committer = Committer(maxBatch: maxBatch, flush: flush)
        let committer = committer
        let thread = Thread { committer.run() }
        thread.name = label
        thread.start()
    }

    deinit {
        committer.stop()
    }

    /// Batches committed so far, and the writes they held.
    public var statistics: (batches: Int, writes: Int) {
        committer.state.withLock { ($0.batches, $0.writes) }
    }

    /// Commits `write` with whatever else is waiting, and returns its outcome once committed.
    public func commit(_ write: Write) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            committer.enqueue(Waiter(write: write, continuation: continuation))
        }
    }

    /// Writes waiting for a flush, the batch being flushed not included.
    var waitingCount: Int { committer.state.withLock { $0.waiting.count } }

    /// Returns once at least `count` writes wait for a flush.
    func waitUntilWaiting(_ count: Int) async {
        while waitingCount < count {
            await committer.waitingChanges.wait(for: 0) { self.waitingCount >= count }
        }
    }

    fileprivate struct Waiter: Sendable {
        var write: Write
        var continuation: CheckedContinuation<Outcome, any Error>
    }

    /// The queue of writes and the thread that drains it. The thread holds this, not the group, so the group's
    /// end stops it.
    private final class Committer: Sendable {
        struct State: Sendable {
            /// Whether the committer has been woken for what is waiting (or is flushing).
            var draining = false
            var stopped = false
            var waiting: [Waiter] = []
            var batches = 0
            var writes = 0
        }

        let state = Mutex(State())
        /// Notified whenever a write starts waiting, for tests that must know a batch is queued.
        let waitingChanges = ChangeWaiters<Int>()
        private let wake = DispatchSemaphore(value: 0)
        private let maxBatch: Int
        private let flush: Flush

        init(maxBatch: Int, flush: @escaping Flush) {
            self.maxBatch = maxBatch
            self.flush = flush
        }

        func enqueue(_ waiter: Waiter) {
            let wakes = state.withLock { state -> Bool in
                state.waiting.append(waiter)
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            waitingChanges.notify(0)
            if wakes { wake.signal() }
        }

        func stop() {
            state.withLock { $0.stopped = true }
            wake.signal()
        }

        /// The committer thread: sleeps until woken, then drains.
        func run() {
            while true {
                wake.wait()
                if state.withLock({ $0.stopped && $0.waiting.isEmpty }) { return }
                drain()
            }
        }

        private func drain() {
            var batch = take()
            while !batch.isEmpty {
                var results = flush(batch.map(\.write))
                if results.count != batch.count {
                    results = Array(repeating: .failure(GroupCommitError()), count: batch.count)
                }
                // The next batch is what arrived during this flush, taken before its callers are resumed: whether
                // the drain goes on never depends on how fast a resumed caller writes again (that write wakes the
                // committer for a drain of its own).
                let next = take()
                for (waiter, result) in zip(batch, results) {
                    waiter.continuation.resume(with: result)
                }
                batch = next
            }
        }

        /// The writes waiting, up to `maxBatch`; when none is waiting, marks the committer idle. The queue is handed
        /// over whole when it fits in a batch, so the next write starts a new one, whatever else is running.
        private func take() -> [Waiter] {
            state.withLock { state -> [Waiter] in
                let taken: [Waiter]
                if state.waiting.count <= maxBatch {
                    taken = state.waiting
                    state.waiting = []
                } else {
                    taken = Array(state.waiting.prefix(maxBatch))
                    state.waiting.removeFirst(maxBatch)
                }
                if taken.isEmpty {
                    state.draining = false
                } else {
                    state.batches += 1
                    state.writes += taken.count
                }
                return taken
            }
        }
    }
}

/// A flush that did not return one result per write.
public struct GroupCommitError: Error, CustomStringConvertible {
    public var description: String { "a group commit returned the wrong number of results" }
}
