import HeapModule
import Synchronization

/// Work due at instants of model time, served by one consumer loop: one sleeping task for any number of entries.
///
/// Entries live in a binary heap ordered by deadline (ties in insertion order), so scheduling is O(log n) and a
/// hundred thousand pending entries cost one heap and one parked task. An entry earlier than everything already
/// waiting wakes the consumer, which then sleeps until the new earliest deadline.
public final class DeadlineQueue<Element: Sendable>: Sendable {
    private struct Entry: Comparable {
        var deadline: SimulationClock.Instant
        var sequence: UInt64
        var element: Element

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            (lhs.deadline, lhs.sequence) < (rhs.deadline, rhs.sequence)
        }

        static func == (lhs: Entry, rhs: Entry) -> Bool {
            (lhs.deadline, lhs.sequence) == (rhs.deadline, rhs.sequence)
        }
    }

    private struct State {
        var heap = Heap<Entry>()
        var nextSequence: UInt64 = 0
        var finished = false
    }

    private enum Step {
        case finished
        case due([Element])
        case sleep(until: SimulationClock.Instant)
        case idle
    }

    private let clock: SimulationClock
    private let state = Mutex(State())
    private let wake = WakeSignal()

    public init(clock: SimulationClock) {
        self.clock = clock
    }

    /// The number of entries not yet handed to the consumer.
    public var count: Int { state.withLock { $0.heap.count } }

    /// Adds `element`, due at `deadline`.
    public func schedule(_ element: Element, at deadline: SimulationClock.Instant) {
        let isNewEarliest = state.withLock { state -> Bool in
            let entry = Entry(deadline: deadline, sequence: state.nextSequence, element: element)
            state.nextSequence += 1
            let earliest = state.heap.min.map { entry < $0 } ?? true
            state.heap.insert(entry)
            return earliest
        }
        if isNewEarliest { wake.signal() }
    }

    /// Stops the consumer: ``nextDue()`` returns `nil` from now on. Entries still waiting are left undelivered.
    public func finish() {
        state.withLock { $0.finished = true }
        wake.signal()
    }

    /// Waits until at least one entry is due and returns every due entry, earliest first.
    ///
    /// Returns `nil` once the queue is finished or the calling task is cancelled. Only one task may consume.
    public func nextDue() async -> [Element]? {
        var reached: SimulationClock.Instant?
        while !Task.isCancelled {
            let now = clock.now
            // A sleep that returned has reached its deadline even if a scaled clock reads a hair earlier.
            let horizon = max(now, reached ?? now)
            let step = state.withLock { state -> Step in
                if state.finished { return .finished }
                var due: [Element] = []
                while let first = state.heap.min, first.deadline <= horizon {
                    due.append(state.heap.removeMin().element)
                }
                if !due.isEmpty { return .due(due) }
                if let first = state.heap.min { return .sleep(until: first.deadline) }
                return .idle
            }
            switch step {
            case .finished:
                return nil
            case .due(let elements):
                return elements
            case .sleep(let deadline):
                reached = await clock.sleep(until: deadline, orUntil: wake) ? deadline : nil
            case .idle:
                reached = nil
                await wake.wait()
            }
        }
        return nil
    }
}
