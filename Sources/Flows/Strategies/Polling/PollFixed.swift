import HelpDeskAPI

/// `poll-fixed:I`: `GET /document/{id}` every `interval` from submission until decided.
///
/// Model, for a review of length D: the polls fall at I, 2I, ..., so the one that sees the verdict comes at ⌈D/I⌉·I,
/// a latency of ⌈D/I⌉·I − D (about I/2 when D spans many intervals), after ⌈D/I⌉ polls. Both are integrated
/// numerically over D. Over a network of one-way delay d, D is replaced by D − 2d (the first poll leaves once the
/// submission's answer is back, and reaches the Help Desk d later), at least one poll is made, and the answer's
/// way back adds d: a latency of ⌈(D − 2d)/I⌉·I + 3d − D.
public struct PollFixed: IntervalStrategyDefinition {
    public static let name = "poll-fixed"
    public static let mechanisms: [VendorMechanism] = [.poll]
    public static let usage = "poll-fixed:INTERVAL"
    public static let summary = "GET /document/{id} every interval from submission until decided"
    public static let standard = PollFixed(interval: .seconds(1))

    public var interval: Duration

    public init(interval: Duration) {
        self.interval = interval
    }

    public func makeStrategy(context: StrategyContext) -> any Strategy {
        DocumentPollingStrategy(spec: StrategySpec(self), policy: PollPolicy(delay: { [interval] _, _ in interval }), context: context)
    }

    public func model(_ workload: ModelWorkload) -> StrategyModel {
        Self.fixedCadenceModel(interval: interval, workload)
    }

    /// Polls at I, 2I, ... after submission: the model of `poll-fixed` and `poll-conditional`.
    static func fixedCadenceModel(interval: Duration, _ workload: ModelWorkload) -> StrategyModel {
        guard workload.readFaults.isNone else { return PollingQueueModel.model(workload, cadence: .fixed(interval: interval.secondsValue)) }
        let step = interval.secondsValue
        let grid = workload.seenByPolls().delayGrid()
        let polls = grid.map { max(1, ($0 / step).rounded(.up)) }
        return StrategyModel(
            latency: LatencyModel(points: zip(grid, polls).map { delay, count in count * step - delay }),
            requestsPerDocument: 1 + polls.reduce(0, +) / Double(grid.count)
        ).delayed(by: workload.networkDelay)
    }
}

extension StrategySpec {
    public static func pollFixed(interval: Duration) -> StrategySpec { StrategySpec(PollFixed(interval: interval)) }
}
