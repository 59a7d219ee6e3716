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
        /// Entries handed to the consumer and not yet marked done.
        var outstanding = 0
        /// One at a time (a stepper serialises the instant): an entry was handed out since the last yield.
        var mustYield = false
    }

    private enum Step {
        case finished
        case due([Element])
        case sleep(until: SimulationClock.Instant)
        case idle
    }

    let clock: SimulationClock
    private let state = Mutex(State())
    private let wake = WakeSignal()
    private let idleChanges = ChangeWaiters<Int>()
    private let activityID: UInt64

    public init(clock: SimulationClock) {
        self.clock = clock
        self.activityID = clock.activity.registerQueue()
    }

    deinit {
        clock.activity.unregisterQueue(activityID)
    }

    private func report(_ state: State) {
        clock.activity.updateQueue(activityID, earliest: state.finished ? nil : state.heap.min?.deadline)
    }

    /// The number of entries not yet handed to the consumer.
    public var count: Int { state.withLock { $0.heap.count } }

    /// Whether no entry waits and none is in the consumer's hands.
    public var isIdle: Bool { state.withLock { $0.heap.isEmpty && $0.outstanding == 0 } }

    /// Adds `element`, due at `deadline`.
    public func schedule(_ element: Element, at deadline: SimulationClock.Instant) {
        let isNewEarliest = state.withLock { state -> Bool in
            let entry = Entry(deadline: deadline, sequence: state.nextSequence, element: element)
            state.nextSequence += 1
            let earliest = state.heap.min.map { entry < $0 } ?? true
            state.heap.insert(entry)
            report(state)
            return earliest
        }
        if isNewEarliest { wake.signal() }
    }

    /// Tells the queue that the consumer has finished with `count` of the entries ``nextDue()`` handed it,
    /// after scheduling whatever they lead to: ``isIdle`` counts them in hand until then.
    public func markDone(_ count: Int = 1) {
        let idle = state.withLock { state -> Bool in
            state.outstanding -= count
            report(state)
            return state.heap.isEmpty && state.outstanding == 0
        }
        if idle { idleChanges.notify(0) }
    }

    /// Returns once ``isIdle`` holds.
    public func waitUntilIdle() async {
        while !isIdle, !Task.isCancelled {
            await idleChanges.wait(for: 0) { self.isIdle }
        }
    }

    /// Stops the consumer: ``nextDue()`` returns `nil` from now on. Entries still waiting are left undelivered.
    public func finish() {
        state.withLock { state in
            state.finished = true
            report(state)
        }
        wake.signal()
    }

    /// Waits until at least one entry is due and returns every due entry, earliest first. The consumer calls
    /// ``markDone(_:)`` for each once it has handled it.
    ///
    /// Returns `nil` once the queue is finished or the calling task is cancelled. Only one task may consume.
    public func nextDue() async -> [Element]? {
        await nextDue(returningOnWake: false)
    }

    /// Wakes the consumer waiting in ``nextDue(returningOnWake:)``.
    func wakeConsumer() {
        wake.signal()
    }

    /// ``nextDue()``, which with `returningOnWake` also returns (with no entries) when ``wakeConsumer()`` is called.
    ///
    /// Under a stepper that serialises each instant (``ManualClock/defersDueTimers``), it hands out one entry at a
    /// time, and before the next one due yields to the stepper (a timer at the present instant), which lets the
    /// consumer go on once what the last entry started is done: entries due at one instant are then handled in their
    /// order (deadline, then scheduling order), never side by side.
    func nextDue(returningOnWake: Bool) async -> [Element]? {
        var reached: SimulationClock.Instant?
        let oneAtATime = clock.virtualBase?.defersDueTimers == true
        while !Task.isCancelled {
            let now = clock.now
            // A sleep that returned has reached its deadline even if a scaled clock reads a hair earlier.
            let horizon = max(now, reached ?? now)
            let yielded = reached != nil
            let step = state.withLock { state -> Step in
                if state.finished { return .finished }
                if yielded { state.mustYield = false }
                var due: [Element] = []
                if oneAtATime, let first = state.heap.min, first.deadline <= horizon {
                    if state.mustYield { return .sleep(until: first.deadline) }
                    due.append(state.heap.removeMin().element)
                    state.mustYield = true
                }
                while !oneAtATime, let first = state.heap.min, first.deadline <= horizon {
                    due.append(state.heap.removeMin().element)
                }
                if !due.isEmpty {
                    state.outstanding += due.count
                    report(state)
                    return .due(due)
                }
                if let first = state.heap.min { return .sleep(until: first.deadline) }
                return .idle
            }
            switch step {
            case .finished:
                return nil
            case .due(let elements):
                return elements
            case .sleep(let deadline):
                let slept = await clock.sleep(until: deadline, orUntil: wake)
                reached = slept ? deadline : nil
                if !slept, returningOnWake { return [] }
            case .idle:
                reached = nil
                await wake.wait()
                if returningOnWake { return [] }
            }
        }
        return nil
    }
}
