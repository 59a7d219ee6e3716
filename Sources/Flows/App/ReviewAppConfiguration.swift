import HelpDeskAPI
import SimulationSupport

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
    public var maxRequestsInFlight = Self.defaultMaxRequestsInFlight
    public static let defaultMaxRequestsInFlight = 32
    /// Connections kept to the Help Desk.
    public var maxConnections = 64
    /// The HTTP client library our Help Desk client runs on.
    public var transport = HelpDeskTransportKind.asyncHTTPClient
    /// When several instances of the app share one database: this one's name and how long its leases last.
    public var sharing: InstanceSharing?
    /// The modelled one-way delay of each request to the Help Desk and of its answer, in model time.
    public var network = NetworkDelay.none

    public init(helpDeskURL: String, strategy: StrategySpec, webhookSecrets: [WebhookSecret], publicURL: String? = nil) {
        self.helpDeskURL = helpDeskURL
        self.strategy = strategy
        self.webhookSecrets = webhookSecrets
        self.publicURL = publicURL
    }
}

/// One of several app instances over one database. The instances share the work through the store's leases: an
/// instance polls only the documents it holds a lease on (those it submitted, and those whose lease lapsed because
/// their instance stopped), and reads an event feed only while it holds the feed's lease. It renews its leases every
/// third of their length; after a crash, its name reclaims them when it starts again.
public struct InstanceSharing: Sendable, Hashable {
    /// The instance's name, the owner of its leases: the same across its restarts.
    public var instance: String
    /// How long a lease lasts unrenewed, model time.
    public var lease: Duration

    public init(instance: String, lease: Duration = .seconds(30)) {
        self.instance = instance
        self.lease = lease
    }
}
