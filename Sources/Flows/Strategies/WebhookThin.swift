import HelpDeskAPI

/// `webhook-thin`: the Help Desk POSTs only `{documentId}`; the app GETs the state (Stripe's thin events).
///
/// Model: the delivery of `webhook`, plus one fetch per delivered document; no wait of its own.
public struct WebhookThin: StrategyDefinition {
    public static let name = "webhook-thin"
    public static let usage = "webhook-thin"
    public static let summary = "the Help Desk POSTs only {documentId}; the app GETs the state"
    public static let standard = WebhookThin()

    public init() {}

    public init(parameters: [String]) throws(StrategySpecError) {
        _ = try StrategyParameters(parameters, usage: Self.usage, most: 0)
    }

    public var parameterText: String { "" }
    public var callbackStyle: CallbackPayloadStyle? { .thin }
    public var longestInterval: Duration { .seconds(1) }

    public func makeStrategy(context: StrategyContext) -> any Strategy {
        WebhookStrategy(spec: StrategySpec(self), style: .thin)
    }

    public func model(_ workload: ModelWorkload) -> StrategyModel {
        Webhook.deliveryModel(workload, extraRequests: 1)
    }
}

extension StrategySpec {
    public static let webhookThin = StrategySpec(WebhookThin())
}
