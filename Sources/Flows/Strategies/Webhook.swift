import HelpDeskAPI
import ServiceLifecycle
import SimulationSupport

/// `webhook`: the Help Desk POSTs the verdict to our receiver.
///
/// Model: no wait of its own (the delivery leaves at the decision). With a share `p` of messages never sent, `p` of
/// the documents are lost; with a share `q` of attempts failing, attempt k succeeds with probability `(1 − q)qᵏ⁻¹`
/// after the first k − 1 retry delays (jittered ±10 %), and `qⁿ` of the documents are lost after n attempts.
/// Requests: the submission and one delivery per attempt. Over a network of one-way delay d, each delivery reaches
/// the receiver d after it leaves. With duplicates, delayed sends, receiver outages or slow answers, each document's
/// attempts are followed one by one instead (``DeliveryTimeline``).
public struct Webhook: ParameterlessStrategyDefinition {
    public static let name = "webhook"
    public static let mechanisms: [VendorMechanism] = [.webhook]
    public static let summary = "the Help Desk POSTs the verdict to the receiver"

    public init() {}

    public var callbackStyle: CallbackPayloadStyle? { .full }

    public func makeStrategy(context: StrategyContext) -> any Strategy {
        WebhookStrategy(spec: StrategySpec(self), style: .full)
    }

    public func model(_ workload: ModelWorkload) -> StrategyModel {
        guard workload.deliveryFaults.isNone else { return DeliveryTimeline.model(workload, extraRequests: 0, extraLatency: 0) }
        return Self.deliveryModel(workload, extraRequests: 0).delayed(by: workload.networkDelay)
    }

    /// The delivery of one webhook per document, with its drops, failed attempts and retries.
    /// - Parameter extraRequests: Requests per delivered document besides the submission and the attempts.
    static func deliveryModel(_ workload: ModelWorkload, extraRequests: Double) -> StrategyModel {
        let sent = 1 - workload.webhookDropRate
        let failure = workload.attemptFailureRate
        let delays = workload.retryDelays.isEmpty ? [Duration.zero] : workload.retryDelays
        var components: [(weight: Double, model: LatencyModel)] = []
        var attempts = 0.0
        var reach = 1.0
        var elapsed: [Duration] = []
        for (index, delay) in delays.enumerated() {
            if index > 0 { elapsed.append(delay) }
            attempts += reach
            let succeeds = reach * (1 - failure)
            if succeeds > 0 { components.append((succeeds, Self.retryWait(elapsed, seed: workload.seed, attempt: index))) }
            reach *= failure
        }
        let delivered = sent * (1 - reach)
        // Each delivered message teaches once (a thin one twice: the notification, then its fetch); every other attempt
        // is wasted. Each teaching request is one write step.
        return StrategyModel(
            latency: LatencyModel.mixture(components),
            requestsPerDocument: 1 + sent * attempts + delivered * extraRequests,
            wastedRequestsPerDocument: sent * attempts - delivered,
            writesPerDocument: StrategyModel.submissionWrites + delivered * (1 + extraRequests),
            deliveriesPerDocument: sent * attempts,
            lostShare: 1 - delivered
        )
    }

    /// The sum of the retry delays before an attempt, each moved by a seeded uniform ±10 %, as points.
    private static func retryWait(_ delays: [Duration], seed: UInt64, attempt: Int, count: Int = 2_000) -> LatencyModel {
        guard !delays.isEmpty else { return .immediate }
        var random = SeededGenerator(seed: seed, stream: "webhook-retry-model", index: UInt64(attempt))
        return LatencyModel(points: (0..<count).map { _ in
            delays.reduce(0) { $0 + $1.secondsValue * (0.9 + 0.2 * random.nextUnit()) }
        })
    }
}

extension StrategySpec {
    public static let webhook = StrategySpec(Webhook())
}

/// The running side of `webhook` and `webhook-thin`: the Help Desk calls our receiver; nothing to do but wait.
///
/// With thin payloads the receiver records the notification and the app's thin fetcher gets the state.
struct WebhookStrategy: Strategy {
    let spec: StrategySpec
    let style: CallbackPayloadStyle

    var callbackStyle: CallbackPayloadStyle? { style }

    func watch(_ review: Review) {}

    func run() async throws {
        try? await WorkUnit.awayFromSimulation { try await gracefulShutdown() }
    }
}
