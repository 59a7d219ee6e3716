import HelpDeskAPI

/// `long-poll:W`: `GET /document/{id}?wait=W` with the last `ETag`; the Help Desk answers when the review is decided,
/// or with 304 after W, and the poller asks again at once.
///
/// Model: no wait of its own (the held request is answered at the decision), after max(1, ⌈D/W⌉) requests.
public struct LongPoll: IntervalStrategyDefinition {
    public static let name = "long-poll"
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
        let step = wait.secondsValue
        return StrategyModel(
            latency: .immediate,
            requestsPerDocument: 1 + workload.average { max(1, ($0 / step).rounded(.up)) }
        )
    }
}

extension StrategySpec {
    public static func longPoll(wait: Duration) -> StrategySpec { StrategySpec(LongPoll(wait: wait)) }
}
