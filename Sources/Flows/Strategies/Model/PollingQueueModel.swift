import Foundation
import HeapModule
import SimulationSupport

/// Faults of the Help Desk's status route, for the pollers' models.
public struct ReadFaultWorkload: Sendable, Hashable {
    /// Share of admitted status requests answered 503 with `Retry-After: 1`.
    public var statusFailureRate: Double = 0
    /// The Help Desk's limit on the read API; over it, 429 with `Retry-After` (whole seconds, rounded up).
    public var rateLimit: ModelRateLimit?
    /// The Help Desk's seed, to take the run's own draws: the Help Desk fails its n-th admitted status request when
    /// the n-th draw of its documented stream (seed, `status-fault`, n) falls under the rate. Without it the model
    /// takes draws of its own and averages over replications: the expectation.
    public var drawnWithSeed: UInt64?

    public init() {}

    public var isNone: Bool { statusFailureRate == 0 && rateLimit == nil }

    /// Whether the `ordinal`-th admitted status request (0-based) fails, by the run's draws.
    func runFails(_ ordinal: Int, seed: UInt64) -> Bool {
        var random = SeededGenerator(seed: seed, stream: "status-fault", index: UInt64(ordinal))
        return random.nextUnit() < statusFailureRate
    }
}

/// How many times a model that takes its own random draws repeats itself to reach its expectation: enough for about
/// 20,000 documents in all, from 1 to 20 times.
func modelReplications(documents: Int) -> Int {
    min(20, max(1, 20_000 / max(documents, 1)))
}

/// A vendor's rate limit as the models see it: a token bucket (full at the start, refilled continuously) or fixed
/// windows counted from the start.
public enum ModelRateLimit: Sendable, Hashable {
    case tokenBucket(perSecond: Double, burst: Int)
    case fixedWindows(requests: Int, period: Double)
}

/// The per-document pollers followed request by request against a Help Desk that refuses some of them: every poll due
/// at its instant (its schedule: fixed, jittered backoff, or a long-poll held until the decision or the wait), run in
/// the order they fall due (first registered first at one instant) on at most ``ModelWorkload/maxInFlight`` slots;
/// each takes its place under the rate limit (429 with the time to the next place, rounded up to whole seconds) and,
/// admitted, fails with the 503 share (`Retry-After: 1`); either answer pauses every poll until the `Retry-After` has
/// passed, as the app's shared retry gate does, and the document's next poll waits at least as long. Which requests
/// fail is the run's own draws (``ReadFaultWorkload/drawnWithSeed``) or the model's, averaged over replications; each
/// backoff delay is the model's own draw. Nothing of the running code is called.
public struct PollingQueueModel: Sendable {
    /// When a document's next poll falls due after its poll numbered `attempt` (the first is 1): seconds.
    public enum Cadence: Sendable {
        /// Every interval, from the submission.
        case fixed(interval: Double)
        /// A uniform draw on [0, ceiling(attempt)].
        case backoff(ceilings: @Sendable (Int) -> Double)
        /// At once, each request held up to the wait.
        case longPoll(wait: Double)
    }

    /// A poll in line: due at `due`; at one instant, polls go in the order they were put in line (when, then which first).
    private struct Event: Comparable {
        var due: Double
        /// When it was put in line, and its number among those put in line then.
        var lined: Double
        var order: Int
        var document: Int
        var attempt: Int
        /// When the poll was due by its schedule (a wait for a slot does not move it): the next is due a delay after.
        var scheduled: Double

        static func < (lhs: Event, rhs: Event) -> Bool { (lhs.due, lhs.lined, lhs.order) < (rhs.due, rhs.lined, rhs.order) }
    }

    public static func model(_ workload: ModelWorkload, cadence: Cadence) -> StrategyModel {
        // A backoff's delays are our app's draws by document id: without the run's ids they are the model's own, and
        // which requests fail depends on when they fall, so its model is then the expectation.
        var workload = workload
        if case .backoff = cadence, workload.documentIds == nil { workload.readFaults.drawnWithSeed = nil }
        let random: Bool
        if case .backoff = cadence, workload.documentIds == nil { random = true } else { random = workload.readFaults.statusFailureRate > 0 }
        let runs = workload.readFaults.drawnWithSeed == nil && random ? modelReplications(documents: workload.documents) : 1
        var (latencies, requests, documents) = ([Double](), 0, 0)
        for replication in 0..<runs {
            let run = simulate(workload, cadence: cadence, replication: replication)
            latencies += run.latencies
            requests += run.requests
            documents += run.documents
        }
        return StrategyModel(
            latency: latencies.isEmpty ? .immediate : LatencyModel(points: latencies.sorted()),
            requestsPerDocument: 1 + Double(requests) / Double(max(documents, 1))
        )
    }

    private static func simulate(_ workload: ModelWorkload, cadence: Cadence, replication: Int) -> (latencies: [Double], requests: Int, documents: Int) {
        let network = workload.networkDelay
        let submitted = workload.submissionInstants()
        // The review starts when the submission reaches the Help Desk.
        let decided = zip(submitted, workload.delaysPerDocument(count: submitted.count)).map { $0 + network + $1 }
        var random = SeededGenerator(seed: workload.seed, stream: "polling-queue-model", index: UInt64(replication))
        let faults = workload.readFaults
        var admitted = 0
        var limiter = LimitState(workload.readFaults.rateLimit)
        var queue = Heap<Event>()
        var order = 0
        let documentIds = workload.documentIds
        let delay = { (attempt: Int, document: Int, random: inout SeededGenerator) -> Double in
            switch cadence {
            case .fixed(let interval): return interval
            case .backoff(let ceilings): return ceilings(attempt) * PollBackoff.jitterUnit(attempt: attempt, document: document, ids: documentIds, seed: workload.seed, random: &random)
            case .longPoll: return 0
            }
        }
        // A document is watched once its submission's answer is back.
        for (index, instant) in submitted.enumerated() {
            let watched = instant + 2 * network
            let due = watched + delay(1, index, &random)
            queue.insert(Event(due: due, lined: watched, order: order, document: index, attempt: 1, scheduled: due))
            order += 1
        }
        var releases = Heap<Double>()
        var pausedUntil = -Double.infinity
        var requests = 0
        var latencies: [Double] = []
        latencies.reserveCapacity(submitted.count)
        let slots = workload.maxInFlight ?? Int.max
        while var event = queue.popMin() {
            let now = event.due
            if now < pausedUntil {
                // The paused poll is put in line again for the pause's end, its schedule counted from there.
                event.due = pausedUntil
                event.scheduled = pausedUntil
                event.lined = now
                event.order = order
                order += 1
                queue.insert(event)
                continue
            }
            while let release = releases.min, release <= now { _ = releases.popMin() }
            if releases.count >= slots, let free = releases.min {
                // Waits for the first slot to free, keeping its place in line.
                event.due = free
                queue.insert(event)
                continue
            }
            requests += 1
            let arrival = now + network
            var next = event
            next.attempt += 1
            let pause: Double
            if let retryAfter = limiter.refusal(at: arrival) {
                pause = retryAfter
            } else {
                let fails = faults.drawnWithSeed.map { faults.runFails(admitted, seed: $0) } ?? (random.nextUnit() < faults.statusFailureRate)
                admitted += 1
                if fails {
                    pause = 1
                } else {
                    var answered = arrival
                    if case .longPoll(let wait) = cadence, decided[event.document] > arrival {
                        answered = min(decided[event.document], arrival + wait)
                    }
                    releases.insert(answered + network)
                    if decided[event.document] <= answered {
                        latencies.append(answered + network - decided[event.document])
                        continue
                    }
                    next.due = max(event.scheduled + delay(next.attempt, event.document, &random), answered + network)
                    next.scheduled = next.due
                    next.lined = answered + network
                    next.order = order
                    order += 1
                    queue.insert(next)
                    continue
                }
            }
            let back = arrival + network
            releases.insert(back)
            pausedUntil = max(pausedUntil, back + pause)
            next.due = max(event.scheduled + delay(next.attempt, event.document, &random), back + pause)
            next.scheduled = next.due
            next.lined = back
            next.order = order
            order += 1
            queue.insert(next)
        }
        return (latencies, requests, submitted.count)
    }

    /// The Help Desk's limiter, as its documentation describes it.
    struct LimitState {
        let limit: ModelRateLimit?
        var tokens: Double
        var updatedAt = 0.0
        var window = -1
        var used = 0

        init(_ limit: ModelRateLimit?) {
            self.limit = limit
            if case .tokenBucket(_, let burst) = limit { tokens = Double(burst) } else { tokens = 0 }
        }

        /// `nil` when a request at `now` is admitted, else its `Retry-After` in whole seconds.
        mutating func refusal(at now: Double) -> Double? {
            switch limit {
            case nil:
                return nil
            case .tokenBucket(let rate, let burst):
                if now > updatedAt {
                    tokens = min(Double(burst), tokens + (now - updatedAt) * rate)
                    updatedAt = now
                }
                guard tokens < 1 else {
                    tokens -= 1
                    return nil
                }
                return ((1 - tokens) / rate).rounded(.up)
            case .fixedWindows(let requests, let period):
                let index = Int((now / period).rounded(.down))
                if index != window {
                    window = index
                    used = 0
                }
                guard used >= requests else {
                    used += 1
                    return nil
                }
                return (Double(index + 1) * period - now).rounded(.up)
            }
        }
    }
}
