import HelpDeskAPI

/// `long-poll:W`: `GET /document/{id}?wait=W` with the last `ETag`; the Help Desk answers when the review is decided,
/// or with 304 after W, and the poller asks again at once.
///
/// Model: no wait of its own (the held request is answered at the decision), after max(1, ⌈D/W⌉) requests. Over a
/// network of one-way delay d the first request reaches the Help Desk when D − 2d of the review is left (see
/// `PollFixed`), and each 304 and the next request spend 2d on the way: holds of W with gaps of 2d between them. A
/// decision inside a hold is answered at once (latency d, the way back); one in a gap waits for the next request to
/// arrive; one before the first request arrives is answered when it does.
///
/// With fewer request slots than documents pending (``ModelWorkload/maxInFlight``), the documents take turns: the
/// model is then ``SlotQueueModel``'s, event by event, when a request would ever wait for a slot.
public struct LongPoll: IntervalStrategyDefinition {
    public static let name = "long-poll"
    public static let mechanisms: [VendorMechanism] = [.longPoll]
    public static let usage = "long-poll:WAIT"
    public static let summary = "GET /document/{id}?wait= held by the Help Desk until decided; asked again at once after a timeout"
    public static let standard = LongPoll(wait: .seconds(30))
    public static let parameterName = "the wait"

    /// How long the Help Desk may hold each request.
    public var wait: Duration

    public init(wait: Duration) {
        self.wait = wait
    }

    public init(interval: Duration) {
        self.init(wait: interval)
    }

    public var interval: Duration { wait }

    public func makeStrategy(context: StrategyContext) -> any Strategy {
        DocumentPollingStrategy(
            spec: StrategySpec(self),
            policy: PollPolicy(delay: { _, _ in .zero }, conditional: true, wait: wait),
            context: context
        )
    }

    public func model(_ workload: ModelWorkload) -> StrategyModel {
        guard workload.readFaults.isNone else { return PollingQueueModel.model(workload, cadence: .longPoll(wait: wait.secondsValue)) }
        guard let slots = workload.maxInFlight, workload.documents > slots else { return modelWithoutLimit(workload) }
        // Busy slots answer at most one request per hold: a short hold over a long day is simulated on the first
        // documents only, as many as keep the requests within a million (and the documents within 50,000).
        let longest = workload.reviewDelay.upperBound?.secondsValue ?? workload.reviewDelay.quantile(0.9999)
        let requestsBound = Double(slots) * (workload.submissionSpan + longest) / max(wait.secondsValue + 2 * workload.networkDelay, 1e-3)
            + Double(workload.documents)
        let share = min(1, Self.simulatedRequests / requestsBound, Self.simulatedDocuments / Double(workload.documents))
        let simulated = min(workload.documents, max(slots * 20, Int(Double(workload.documents) * share)))
        let queue = SlotQueueModel(
            slots: slots,
            hold: wait.secondsValue,
            networkDelay: workload.networkDelay,
            arrivals: workload.submissionInstants(count: simulated),
            delays: workload.delaysPerDocument(count: simulated)
        )
        let outcome = queue.run()
        guard outcome.waited else { return modelWithoutLimit(workload) }
        return StrategyModel(
            latency: LatencyModel(points: outcome.latencies),
            requestsPerDocument: 1 + Double(outcome.requests) / Double(max(outcome.latencies.count, 1))
        )
    }

    /// The most requests the slot queue model simulates.
    static let simulatedRequests = 1_000_000.0
    static let simulatedDocuments = 50_000.0

    /// The model with a slot for every request.
    func modelWithoutLimit(_ workload: ModelWorkload) -> StrategyModel {
        let (hold, delay) = (wait.secondsValue, workload.networkDelay)
        let cycle = hold + 2 * delay
        var requests = 0.0
        let latencies = workload.seenByPolls().delayGrid().map { left -> Double in
            guard left > 0 else {
                requests += 1
                return -left
            }
            let held = (left / cycle).rounded(.down)
            if left - held * cycle < hold {
                requests += held + 1
                return 0
            }
            requests += held + 2
            return (held + 1) * cycle - left
        }
        return StrategyModel(
            latency: LatencyModel(points: latencies),
            requestsPerDocument: 1 + requests / Double(latencies.count)
        ).delayed(by: delay)
    }
}

extension StrategySpec {
    public static func longPoll(wait: Duration) -> StrategySpec { StrategySpec(LongPoll(wait: wait)) }
}
