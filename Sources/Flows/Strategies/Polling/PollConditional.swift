import HelpDeskAPI

/// `poll-conditional:I`: fixed polling that sends `If-None-Match`, so an unchanged document answers 304 with no
/// body. The same schedule as `poll-fixed`, so the same model; fewer bytes.
public struct PollConditional: IntervalStrategyDefinition {
    public static let name = "poll-conditional"
    public static let mechanisms: [VendorMechanism] = [.poll, .conditional]
    public static let usage = "poll-conditional:INTERVAL"
    public static let summary = "fixed polling with If-None-Match: 304 with no body while nothing changed"
    public static let standard = PollConditional(interval: .seconds(1))

    public var interval: Duration

    public init(interval: Duration) {
        self.interval = interval
    }

    public func makeStrategy(context: StrategyContext) -> any Strategy {
        DocumentPollingStrategy(
            spec: StrategySpec(self),
            policy: PollPolicy(delay: { [interval] _, _ in interval }, conditional: true),
            context: context
        )
    }

    public func model(_ workload: ModelWorkload) -> StrategyModel {
        PollFixed.fixedCadenceModel(interval: interval, workload)
    }
}

extension StrategySpec {
    public static func pollConditional(interval: Duration) -> StrategySpec { StrategySpec(PollConditional(interval: interval)) }
}
