import HelpDeskAPI

/// How our app reaches the Help Desk and learns verdicts.
public struct ReviewAppConfiguration: Sendable {
    /// The Help Desk's base URL, such as `http://127.0.0.1:8080`.
    public var helpDeskURL: String
    public var strategy: StrategySpec
    /// Secrets the receiver accepts (more than one while rotating).
    public var webhookSecrets: [WebhookSecret]
    /// Our own base URL as the Help Desk should call it; when `nil`, `http://127.0.0.1:<bound port>`.
    public var publicURL: String?
    /// Seeds the jitter of `poll-backoff`.
    public var seed: UInt64 = 42
    /// Requests a strategy keeps in flight at most.
    public var maxRequestsInFlight = 32
    /// Connections kept to the Help Desk.
    public var maxConnections = 64

    public init(helpDeskURL: String, strategy: StrategySpec, webhookSecrets: [WebhookSecret], publicURL: String? = nil) {
        self.helpDeskURL = helpDeskURL
        self.strategy = strategy
        self.webhookSecrets = webhookSecrets
        self.publicURL = publicURL
    }
}
