import Foundation
import HeapModule
import SimulationSupport

/// What the Help Desk and our receiver do to webhooks, for the models that price it: duplicates and delays of the
/// Help Desk, outages and slow answers of our receiver, and our app's replay after an outage.
public struct DeliveryFaultWorkload: Sendable, Hashable {
    /// Share of messages sent a second time, with the same `webhook-id`.
    public var duplicateRate: Double = 0
    /// A uniform delay on [0, this] before a message's first send, and another before its duplicate's.
    public var maxExtraDelay: Duration = .zero
    /// Windows in which our receiver refuses every delivery.
    public var receiverOutages: [ReceiverOutage] = []
    /// The first delivery of each message is applied, then answered only after this long.
    public var slowFirstAnswer: Duration?
    /// The Help Desk's delivery timeout: an attempt not answered within it failed.
    public var timeout: Duration = .seconds(15)
    /// Each scheduled retry delay is moved by up to this share, up or down.
    public var jitter: Double = 0.1
    /// When an outage ends, our app asks the Help Desk to replay every message that failed since the outage began.
    public var replayAfterOutage = false
    /// The Help Desk's seed, to take the run's own draws: its n-th message (in the order of decisions) is dropped,
    /// duplicated and delayed by the draws of its documented stream (seed, `delivery-fault`, n). Without it the model
    /// takes draws of its own and averages over replications: the expectation.
    public var drawnWithSeed: UInt64?

    public init() {}

    /// Whether anything here needs the document-by-document timeline.
    public var isNone: Bool {
        duplicateRate == 0 && maxExtraDelay == .zero && receiverOutages.isEmpty && slowFirstAnswer == nil
    }
}

/// A window of model time, seconds from the first submission's origin (where ``ModelWorkload/arrivals`` count from),
/// in which our receiver answers every delivery 503.
public struct ReceiverOutage: Sendable, Hashable {
    public var start: Double
    public var end: Double
    /// Whether its answers carry `Retry-After` until the end (the Help Desk then retries right at the end).
    public var announcesEnd: Bool
    /// A `Retry-After` its answers carry whatever the time left (our receiver while its database is unavailable).
    public var fixedRetryAfter: Double?

    public init(start: Double, end: Double, announcesEnd: Bool, fixedRetryAfter: Double? = nil) {
        self.start = start
        self.end = end
        self.announcesEnd = announcesEnd
        self.fixedRetryAfter = fixedRetryAfter
    }

    func contains(_ instant: Double) -> Bool { instant >= start && instant < end }
}

/// Webhook delivery followed document by document: each decision's instant (submission + review delay), its first
/// send, and every attempt after it, through the receiver's outages and slow answers, the retry schedule (each delay
/// jittered by the run's draws or the model's own, or replaced by the receiver's `Retry-After`), dead letters, and the
/// replay our app asks for when an outage ends. Its own calculation, event by event, from the same rules the Help
/// Desk documents: nothing of the running code is called.
public struct DeliveryTimeline: Sendable {
    /// One document's webhook, model seconds from the origin.
    public struct Document: Sendable, Hashable {
        public var decidedAt: Double
        /// When the verdict reached the receiver (applied), or `nil` when it never did.
        public var appliedAt: Double?
        /// When each attempt left the Help Desk (duplicates excluded).
        public var attemptTimes: [Double]
        /// When its duplicate left, if it had one.
        public var duplicateAt: Double?
        /// It ran out of attempts (before any replay).
        public var deadLettered: Bool
        /// It came in by the replay after an outage.
        public var replayed: Bool
        /// Never sent: dropped by the Help Desk.
        public var dropped: Bool
    }

    public let documents: [Document]
    /// Requests of our app's recovery after outages (enable and replay), per outage replayed.
    public let recoveryRequests: Int

    /// Requests of one recovery: `POST /endpoints/enable`, then `POST /deliveries/replay`.
    public static let requestsPerRecovery = 2

    /// - Parameter replication: Which of the model's own sets of draws to take (see ``replications(_:)``).
    public init(_ workload: ModelWorkload, replication: Int = 0) {
        let faults = workload.deliveryFaults
        let network = workload.networkDelay
        let delays = workload.retryDelays.isEmpty ? [0] : workload.retryDelays.map(\.secondsValue)
        let submitted = workload.submissionInstants()
        let reviews = workload.delaysPerDocument(count: submitted.count)
        let outages = faults.receiverOutages.sorted { $0.start < $1.start }
        var random = SeededGenerator(seed: workload.seed, stream: "delivery-timeline-model", index: UInt64(replication))
        // The Help Desk numbers its messages as the decisions come.
        let decisions = zip(submitted, reviews).map { $0 + $1 }
        var messageOrdinal = Array(repeating: 0, count: decisions.count)
        for (ordinal, index) in decisions.indices.sorted(by: { decisions[$0] < decisions[$1] }).enumerated() { messageOrdinal[index] = ordinal }
        var documents: [Document] = []
        documents.reserveCapacity(submitted.count)
        for (index, decidedAt) in decisions.enumerated() {
            // Every draw is taken whatever the faults, so one fault's rate never moves another's draws.
            var draws = faults.drawnWithSeed.map { SeededGenerator(seed: $0, stream: "delivery-fault", index: UInt64(messageOrdinal[index])) } ?? random
            let (dropUnit, duplicateUnit, firstUnit, duplicateDelayUnit) = (draws.nextUnit(), draws.nextUnit(), draws.nextUnit(), draws.nextUnit())
            if faults.drawnWithSeed == nil { random = draws }
            var document = Document(decidedAt: decidedAt, appliedAt: nil, attemptTimes: [], duplicateAt: nil, deadLettered: false, replayed: false, dropped: false)
            guard dropUnit >= workload.webhookDropRate else {
                document.dropped = true
                documents.append(document)
                continue
            }
            var send = decidedAt + faults.maxExtraDelay.secondsValue * firstUnit
            var series = 0
            while true {
                document.attemptTimes.append(send)
                series += 1
                let arrival = send + network
                let failure = Self.failure(of: arrival, firstAttempt: document.attemptTimes.count == 1, outages: outages, faults: faults)
                if document.appliedAt == nil, failure != Failure.refused { document.appliedAt = arrival }
                guard let failure else { break }
                // The answer (or the timeout) is back at the Help Desk; it schedules the next attempt from there.
                let answered = failure == .timedOut ? send + faults.timeout.secondsValue : arrival + network
                guard series < delays.count else {
                    document.deadLettered = document.appliedAt == nil
                    guard document.appliedAt == nil, faults.replayAfterOutage,
                          let outage = outages.first(where: { $0.contains(arrival) }), answered <= outage.end
                    else { break }
                    // Our app asks for the replay as the outage ends: its request reaches the Help Desk a delay later.
                    document.replayed = true
                    series = 0
                    send = outage.end + network
                    continue
                }
                // The run's jitter draw for this message's attempt (the Help Desk's stream (seed, `retry-jitter`,
                // message << 16 | attempt)), or the model's own.
                var jitterDraw = faults.drawnWithSeed.map {
                    SeededGenerator(seed: $0, stream: "retry-jitter", index: UInt64(messageOrdinal[index]) << 16 | UInt64(document.attemptTimes.count))
                } ?? random
                let jittered = delays[series] * (1 + faults.jitter * (2 * jitterDraw.nextUnit() - 1))
                if faults.drawnWithSeed == nil { random = jitterDraw }
                if failure == .refused, let outage = outages.first(where: { $0.contains(arrival) }), outage.announcesEnd || outage.fixedRetryAfter != nil {
                    let retryAfter = outage.fixedRetryAfter ?? (outage.end - arrival).rounded(.up)
                    send = answered + min(retryAfter, delays.max() ?? 0)
                } else {
                    send = answered + jittered
                }
            }
            if duplicateUnit < faults.duplicateRate {
                let duplicate = decidedAt + faults.maxExtraDelay.secondsValue * duplicateDelayUnit
                document.duplicateAt = duplicate
                let arrival = duplicate + network
                if !outages.contains(where: { $0.contains(arrival) }) {
                    document.appliedAt = min(document.appliedAt ?? .infinity, arrival)
                }
            }
            documents.append(document)
        }
        self.documents = documents
        recoveryRequests = faults.replayAfterOutage ? Self.requestsPerRecovery * outages.count : 0
    }

    private enum Failure {
        /// The receiver answered 503 without applying.
        case refused
        /// The receiver applied, but answered after the timeout.
        case timedOut
    }

    private static func failure(of arrival: Double, firstAttempt: Bool, outages: [ReceiverOutage], faults: DeliveryFaultWorkload) -> Failure? {
        if outages.contains(where: { $0.contains(arrival) }) { return .refused }
        if firstAttempt, let slow = faults.slowFirstAnswer, slow > faults.timeout { return .timedOut }
        return nil
    }

    /// The timelines of every replication the model takes: one on the run's draws, else enough of its own for the
    /// expectation.
    public static func replications(_ workload: ModelWorkload) -> [DeliveryTimeline] {
        let faults = workload.deliveryFaults
        let random = faults.duplicateRate > 0 || faults.maxExtraDelay > .zero || workload.webhookDropRate > 0 || faults.jitter > 0
            || workload.readFaults.statusFailureRate > 0
        let count = faults.drawnWithSeed == nil && random ? modelReplications(documents: workload.documents) : 1
        return (0..<count).map { DeliveryTimeline(workload, replication: $0) }
    }

    /// Deliveries (attempts and duplicates) made.
    var deliveries: Int { documents.reduce(0) { $0 + $1.attemptTimes.count + ($1.duplicateAt == nil ? 0 : 1) } }

    /// The model of a webhook strategy over the replications of its timeline.
    /// - Parameter extraRequests: Requests per delivered document besides the submission and the deliveries (a
    ///   thin webhook's fetch).
    /// - Parameter extraLatency: Added to each delivered document's latency (a thin webhook's fetch round trip).
    static func model(_ workload: ModelWorkload, extraRequests: Double, extraLatency: Double) -> StrategyModel {
        let timelines = replications(workload)
        let documents = timelines.flatMap(\.documents)
        let count = Double(max(documents.count, 1))
        var latencies = documents.compactMap { document in document.appliedAt.map { $0 - document.decidedAt + extraLatency } }
        let delivered = Double(latencies.count)
        var fetchRetries = 0.0
        if extraRequests > 0, !workload.readFaults.isNone {
            // Each thin notification's fetch meets the read API's faults, and is tried again after its Retry-After.
            let fetched = timelines.map { Self.fetches(of: $0.documents, workload) }
            latencies = fetched.flatMap(\.latencies)
            fetchRetries = Double(fetched.reduce(0) { $0 + $1.retries })
        }
        let attempts = Double(timelines.reduce(0) { $0 + $1.deliveries }) + fetchRetries
        let recovery = Double(timelines.reduce(0) { $0 + $1.recoveryRequests })
        return StrategyModel(
            latency: latencies.isEmpty ? .immediate : LatencyModel(points: latencies.sorted()),
            requestsPerDocument: 1 + (attempts + recovery) / count + delivered * extraRequests / count,
            wastedRequestsPerDocument: (attempts + recovery - delivered) / count,
            writesPerDocument: StrategyModel.submissionWrites + delivered * (1 + extraRequests) / count,
            deliveriesPerDocument: attempts / count,
            lostShare: 1 - delivered / count
        )
    }

    /// Thin fetches followed one by one: each leaves as its notification arrives, in that order, takes its place
    /// under the rate limit and, admitted, meets the 503 share; a refused one is tried again its `Retry-After` later
    /// (1 s for a 503). Returns each fetched document's latency, and the refused fetches.
    static func fetches(of documents: [Document], _ workload: ModelWorkload) -> (latencies: [Double], retries: Int) {
        let network = workload.networkDelay
        let faults = workload.readFaults
        var limiter = PollingQueueModel.LimitState(faults.rateLimit)
        var random = SeededGenerator(seed: workload.seed, stream: "thin-fetch-model", index: 0)
        var queue = Heap<FetchEvent>()
        for (index, document) in documents.enumerated() {
            if let applied = document.appliedAt { queue.insert(FetchEvent(due: applied, order: index, document: index)) }
        }
        var (latencies, retries, admitted, order) = ([Double](), 0, 0, documents.count)
        while let fetch = queue.popMin() {
            let arrival = fetch.due + network
            var retryAfter = limiter.refusal(at: arrival)
            if retryAfter == nil {
                let fails = faults.drawnWithSeed.map { faults.runFails(admitted, seed: $0) } ?? (random.nextUnit() < faults.statusFailureRate)
                admitted += 1
                if fails { retryAfter = 1 }
            }
            guard let retryAfter else {
                latencies.append(arrival + network - documents[fetch.document].decidedAt)
                continue
            }
            retries += 1
            queue.insert(FetchEvent(due: arrival + network + retryAfter, order: order, document: fetch.document))
            order += 1
        }
        return (latencies, retries)
    }

    private struct FetchEvent: Comparable {
        var due: Double
        var order: Int
        var document: Int

        static func < (lhs: Self, rhs: Self) -> Bool { (lhs.due, lhs.order) < (rhs.due, rhs.order) }
    }
}
