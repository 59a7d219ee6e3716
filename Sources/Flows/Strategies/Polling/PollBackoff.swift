import HelpDeskAPI
import SimulationSupport

/// `poll-backoff:INITIAL,FACTOR,CAP`: polls spaced by exponential backoff with full jitter.
///
/// Before poll n the poller waits a uniform draw in `[0, min(cap, initial × factorⁿ⁻¹)]`, seeded by the run's seed,
/// the document and n, so a run is repeatable and concurrent pollers do not synchronise.
///
/// Model: the poll times are sums of those draws; the poll that sees the verdict is the first at or after D. The
/// model simulates the schedule once per point of the delay grid, with its own seeded draws.
public struct PollBackoff: StrategyDefinition {
    public static let name = "poll-backoff"
    public static let mechanisms: [VendorMechanism] = [.poll]
    public static let usage = "poll-backoff:INITIAL,FACTOR,CAP"
    public static let summary = "polls spaced by full-jitter exponential backoff: a seeded uniform draw in [0, min(cap, initial × factorⁿ)]"
    public static let standard = PollBackoff(initial: .milliseconds(500), factor: 2, cap: .seconds(8))

    public var initial: Duration
    public var factor: Double
    public var cap: Duration

    public init(initial: Duration, factor: Double, cap: Duration) {
        self.initial = initial
        self.factor = factor
        self.cap = cap
    }

    public init(parameters: [String]) throws(StrategySpecError) {
        let values = try StrategyParameters(parameters, usage: Self.usage, most: 3)
        initial = try values.duration(0, "the initial delay", standard: Self.standard.initial)
        factor = try values.number(1, "the factor", atLeast: 1, standard: Self.standard.factor)
        cap = try values.duration(2, "the cap", standard: Self.standard.cap)
        guard cap >= initial else { throw StrategySpecError("the cap must not be below the initial delay") }
    }

    public var parameterText: String { "\(initial.compactDescription),\(CompactNumber(factor)),\(cap.compactDescription)" }
    public var callbackStyle: CallbackPayloadStyle? { nil }
    public var longestInterval: Duration { cap }

    /// The longest wait before poll `attempt` (1-based).
    func ceiling(beforeAttempt attempt: Int) -> Duration {
        var ceiling = initial
        for _ in 1..<max(attempt, 1) where ceiling < cap { ceiling = ceiling * factor }
        return min(cap, ceiling)
    }

    public func makeStrategy(context: StrategyContext) -> any Strategy {
        let seed = context.seed
        return DocumentPollingStrategy(
            spec: StrategySpec(self),
            policy: PollPolicy(delay: { [self] attempt, documentId in
                ceiling(beforeAttempt: attempt) * Self.jitterUnit(seed: seed, documentId: documentId, attempt: attempt)
            }),
            context: context
        )
    }

    /// The jitter of a document's attempt: a uniform draw in [0, 1) from our app's seed, the document's id and the
    /// attempt, so a restart or another instance draws the same.
    static func jitterUnit(seed: UInt64, documentId: String, attempt: Int) -> Double {
        var random = SeededGenerator(seed: seed, stream: "poll-backoff/" + documentId, index: UInt64(attempt))
        return random.nextUnit()
    }

    /// The jitter a model takes for a document's attempt: the run's own when the ids are known, else its own draw.
    static func jitterUnit(attempt: Int, document: Int, ids: [String]?, seed: UInt64, random: inout SeededGenerator) -> Double {
        guard let ids, document < ids.count else { return random.nextUnit() }
        return jitterUnit(seed: seed, documentId: ids[document], attempt: attempt)
    }

    /// Each backoff delay's jitter is drawn from the document's id.
    public var modelReadsDocumentIds: Bool { true }

    public func model(_ workload: ModelWorkload) -> StrategyModel {
        // With faults, or on the run's own documents and ids, the schedules are followed request by request.
        guard workload.readFaults.isNone, workload.documentIds == nil || !workload.isOnDraws else {
            return PollingQueueModel.model(workload, cadence: .backoff { [self] in ceiling(beforeAttempt: $0).secondsValue })
        }
        // Over the network: the schedule against D − 2d, the answer a delay later (see `PollFixed`).
        let grid = workload.seenByPolls().delayGrid()
        var latencies: [Double] = []
        latencies.reserveCapacity(grid.count)
        var polls = 0.0
        let capSeconds = cap.secondsValue
        // Each point of the grid draws its own schedule, so the same draws serve every initial delay: with the
        // factor and the cap's ratio to it fixed, a longer initial delay stretches the same schedule and never polls more.
        for (index, delay) in grid.enumerated() {
            var random = SeededGenerator(seed: workload.seed, stream: "poll-backoff-model", index: UInt64(index))
            var elapsed = 0.0
            var attempt = 0
            var ceiling = initial.secondsValue
            while elapsed < delay || attempt == 0 {
                attempt += 1
                if attempt > 1 { ceiling = min(capSeconds, ceiling * factor) }
                // Once every wait is a uniform draw on [0, cap], the polls form a renewal process: far from the
                // verdict, its polls come 2 / cap per second on average and its phase is soon forgotten, so the
                // schedule moves on to 20 caps before the verdict at that rate and is drawn again from there.
                let remaining = delay - elapsed
                if ceiling >= capSeconds, remaining > 50 * capSeconds {
                    let skipped = remaining - 20 * capSeconds
                    elapsed += skipped
                    polls += 2 * skipped / capSeconds
                }
                elapsed += ceiling * random.nextUnit()
            }
            polls += Double(attempt)
            latencies.append(elapsed - delay)
        }
        return StrategyModel(latency: LatencyModel(points: latencies), requestsPerDocument: 1 + polls / Double(grid.count))
            .delayed(by: workload.networkDelay)
    }
}

extension StrategySpec {
    public static func pollBackoff(initial: Duration, factor: Double, cap: Duration) -> StrategySpec {
        StrategySpec(PollBackoff(initial: initial, factor: factor, cap: cap))
    }
}
