import HelpDeskAPI

/// `webhook-thin`: the Help Desk POSTs only `{documentId}`; the app GETs the state (Stripe's thin events).
///
/// Model: the delivery of `webhook`, plus one fetch per delivered document; no wait of its own. Over a network of
/// one-way delay d: the notification's way, then the fetch's round trip, 3d. Fetches that meet 503s or the rate limit
/// are followed one by one (``DeliveryTimeline/fetches(of:_:)``).
public struct WebhookThin: ParameterlessStrategyDefinition {
    public static let name = "webhook-thin"
    public static let mechanisms: [VendorMechanism] = [.webhookThin, .poll]
    public static let summary = "the Help Desk POSTs only {documentId}; the app GETs the state"

    public init() {}

    public var callbackStyle: CallbackPayloadStyle? { .thin }

    public func makeStrategy(context: StrategyContext) -> any Strategy {
        WebhookStrategy(spec: StrategySpec(self), style: .thin)
    }

    public func model(_ workload: ModelWorkload) -> StrategyModel {
        guard workload.deliveryFaults.isNone, workload.readFaults.isNone else {
            return DeliveryTimeline.model(workload, extraRequests: 1, extraLatency: 2 * workload.networkDelay)
        }
        // The notification's way (d), then the fetch's round trip (2d).
        return Webhook.deliveryModel(workload, extraRequests: 1).delayed(by: 3 * workload.networkDelay)
    }
}

extension StrategySpec {
    public static let webhookThin = StrategySpec(WebhookThin())
}
