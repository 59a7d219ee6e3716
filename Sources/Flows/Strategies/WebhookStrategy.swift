import HelpDeskAPI
import ServiceLifecycle

/// `webhook` and `webhook-thin`: the Help Desk calls our receiver; nothing to do but wait.
///
/// With thin payloads the receiver records the notification and the app's thin fetcher gets the state.
struct WebhookStrategy: Strategy {
    let spec: StrategySpec
    let style: CallbackPayloadStyle

    var callbackStyle: CallbackPayloadStyle? { style }

    func watch(_ review: Review) {}

    func run() async throws {
        try? await gracefulShutdown()
    }
}
