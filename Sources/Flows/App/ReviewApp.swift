import Foundation
import HelpDeskAPI
import Hummingbird
import Logging
import ServerSupport
import ServiceLifecycle
import SimulationSupport
import Synchronization

/// Our app: it submits documents to the Help Desk, stores them in `document_reviews`, and learns their verdicts by
/// the configured strategy, through its webhook receiver, its pollers, or both.
///
/// Serve it with ``makeApplication(host:port:middleware:onServerRunning:routes:)``; its services (the Help Desk client's lifetime, the
/// thin fetcher and the strategy) run beside the server and stop after it.
public final class ReviewApp: Sendable {
    public let configuration: ReviewAppConfiguration
    public let store: any ReviewStore
    public let client: HelpDeskClient
    public let ledger: VerdictLedger
    public let strategy: any Strategy
    let thinFetcher: ThinFetcher
    private let meter = StrategyMeter()
    /// Says once per outage of our database that requests are being deferred.
    private let outages = OutageLog()
    let polls = Listeners<String>()
    private let clock: SimulationClock
    private let logger: Logger
    private let wallClock: @Sendable () -> Date
    private let boundURL = Mutex<String?>(nil)
    private let receiverMeter = Mutex((requests: 0, bytesReceived: 0, bytesSent: 0))
    /// Keys of the submissions this process is sending, which ``resumeOpenIntents()`` leaves alone.
    private let sending = Mutex<Set<String>>([])
    /// Rows stored by the resumption at start, once it has run.
    private let resumedAtStart = Mutex<Int?>(nil)
    private let resumedAtStartChanges = ChangeWaiters<Int>()
    /// Our app's Prometheus metrics, served as `GET /metrics`: requests by route and status, verdicts by what
    /// became of them, polls sent, and the database's statements and their time.
    public let metrics = ServerMetrics()

    /// - Parameters:
    ///   - configuration: The Help Desk, the strategy, the webhook secrets.
    ///   - store: Where reviews live.
    ///   - clock: Model time; every wait of every strategy goes through it.
    ///   - logger: Receives refused webhooks, conflicts and failed requests.
    ///   - wallClock: Wall time for signature timestamps and row ages; the store's own clock writes the rows.
    public init(
        configuration: ReviewAppConfiguration,
        store: any ReviewStore,
        clock: SimulationClock,
        logger: Logger,
        wallClock: @escaping @Sendable () -> Date = { Date() }
    ) {
        precondition(!configuration.webhookSecrets.isEmpty, "the receiver needs at least one webhook secret")
        self.configuration = configuration
        self.store = store
        self.clock = clock
        self.logger = logger
        self.wallClock = wallClock
        self.client = HelpDeskClient(
            baseURL: configuration.helpDeskURL,
            clock: clock,
            maxConnections: configuration.maxConnections,
            transport: configuration.transport,
            network: configuration.network
        )
        self.ledger = VerdictLedger(store: store, clock: clock, logger: logger)
        let context = StrategyContext(
            client: client,
            ledger: ledger,
            clock: clock,
            meter: meter,
            seed: configuration.seed,
            maxRequestsInFlight: configuration.maxRequestsInFlight,
            wallClock: wallClock,
            logger: logger,
            sharing: configuration.sharing,
            polls: polls
        )
        self.thinFetcher = ThinFetcher(context: context)
        self.strategy = configuration.strategy.makeStrategy(context: context)
        collectMetrics()
    }

    /// Calls `listener` with the document id of every status poll this app sends from now on (a benchmark checks
    /// that no two instances poll one document at once).
    public func onStatusPoll(_ listener: @escaping @Sendable (String) -> Void) {
        polls.add(listener)
    }

    /// Requests by which the app learned or tried to learn verdicts, and how many learned nothing.
    public var strategyCounts: StrategyCounts { meter.snapshot }

    /// What the receiver received and answered: body bytes of `POST /document/update`.
    public var receiverTraffic: (requests: Int, bytesReceived: Int, bytesSent: Int) {
        receiverMeter.withLock { ($0.requests, $0.bytesReceived, $0.bytesSent) }
    }

    /// The long-running parts: the client (shut down last), the resumption of interrupted submissions, the thin
    /// fetcher and the strategy. Each call makes them new work units of the simulation (see ``SimulatedService``):
    /// ask only for services to run.
    public var services: [any Service] {
        let activity = clock.activity
        return [
            SimulatedService(HelpDeskClientService(client: client), activity: activity, label: "our app's Help Desk client"),
            SimulatedService(IntentResumption(app: self), activity: activity, label: "our app's resumption of submissions"),
            SimulatedService(thinFetcher, activity: activity, label: "our app's thin fetcher"),
            SimulatedService(strategy, activity: activity, label: "our app's \(strategy.spec)"),
        ]
    }

    /// The URL the Help Desk calls back, when the strategy uses webhooks.
    public var callbackURL: String? {
        guard strategy.callbackStyle != nil else { return nil }
        guard let base = configuration.publicURL ?? boundURL.withLock({ $0 }) else { return nil }
        return (base.hasSuffix("/") ? String(base.dropLast()) : base) + Flows.receiverPath
    }

    /// Submits a document to the Help Desk and stores its review.
    ///
    /// The submission is stored before it is sent (a ``SubmissionIntent``), so a crash before the row is inserted
    /// leaves something for the next start to finish. The row is inserted after the Help Desk answers; a webhook that
    /// arrives before the insert commits is parked by the store and applied by the insert (see
    /// ``ReviewStore/recordSubmission(_:response:)``). A submission that fails is forgotten: our caller was told.
    public func submit(documentUrl: String) async throws(APIError) -> Review {
        guard let url = URL(string: documentUrl), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
            url.host(percentEncoded: false)?.isEmpty == false, documentUrl.count <= 2048
        else {
            throw .badRequest(field: "documentUrl", "must be an absolute http or https URL of at most 2048 characters")
        }
        let callback = strategy.callbackStyle.flatMap { style in callbackURL.map { (url: $0, style: style) } }
        if strategy.callbackStyle != nil, callback == nil {
            throw APIError(.serviceUnavailable, "the app does not know its own URL yet")
        }
        let intent = SubmissionIntent(documentUrl: documentUrl, callbackURL: callback?.url, callbackStyle: callback?.style)
        sending.withLock { _ = $0.insert(intent.key) }
        defer { sending.withLock { _ = $0.remove(intent.key) } }
        do {
            try await store.recordIntent(intent)
            outages.served(logger: logger)
        } catch where StoreUnavailable.describes(error) {
            // Nothing was sent: the caller's retry after the pause submits it once.
            outages.deferred(.submission, error: error, logger: logger)
            throw Self.databaseUnavailable
        } catch {
            logger.error("submission could not be stored", metadata: ["error": "\(error)"])
            throw APIError(.internalServerError, "the submission could not be stored")
        }
        let response: SubmitDocumentResponse
        do {
            response = try await send(intent)
        } catch {
            logger.error("submission failed", metadata: ["error": "\(error)"])
            await discard(intent)
            throw APIError(.badGateway, error.description)
        }
        do {
            return try await recordPatiently(intent, response: response)
        } catch where StoreUnavailable.describes(error) {
            // The intent stays stored: the next start sends it again under the same key and stores its row.
            logger.error("review could not be stored: our database is unavailable", metadata: ["document.id": "\(response.documentId)", "error": "\(error)"])
            throw Self.databaseUnavailable
        } catch {
            logger.error("review could not be stored", metadata: ["document.id": "\(response.documentId)", "error": "\(error)"])
            throw APIError(.internalServerError, "the review could not be stored")
        }
    }

    /// What our API answers while the database is unavailable: 503 with `Retry-After`.
    static let databaseUnavailable = APIError.retryLater(.serviceUnavailable, "our database is unavailable; try again later", afterSeconds: StoreUnavailable.retryAfterSeconds)

    /// Model time a submission the Help Desk has answered keeps trying to store its row while the database is
    /// unavailable: the Help Desk has made the document, so giving up early would leave it without a row until the
    /// next start.
    static let recordPatience: Duration = .seconds(30)

    /// Stores the row of an answered submission, trying again every model second while the database is
    /// unavailable, for up to ``recordPatience``.
    private func recordPatiently(_ intent: SubmissionIntent, response: SubmitDocumentResponse) async throws -> Review {
        let deadline = clock.now.advanced(by: Self.recordPatience)
        while true {
            do {
                return try await record(intent, response: response)
            } catch where StoreUnavailable.describes(error) && clock.now < deadline {
                try await clock.sleep(until: min(clock.now.advanced(by: .seconds(1)), deadline))
            }
        }
    }

    /// Sends an intent to the Help Desk: the first send and a resumed one are built here alone, so they are the
    /// same request and the Help Desk's idempotency recognises the second.
    private func send(_ intent: SubmissionIntent) async throws(HelpDeskClientError) -> SubmitDocumentResponse {
        try await client.submit(documentUrl: intent.documentUrl, callback: intent.callback, idempotencyKey: intent.key)
    }

    private func discard(_ intent: SubmissionIntent) async {
        do {
            try await store.discardIntent(key: intent.key)
        } catch {
            logger.error("a submission intent could not be forgotten", metadata: ["error": "\(error)"])
        }
    }

    private func record(_ intent: SubmissionIntent, response: SubmitDocumentResponse) async throws -> Review {
        let review = try await ledger.recordSubmission(intent, response: response)
        strategy.watch(review)
        return review
    }

    /// Returns once the resumption of interrupted submissions at start has run, with how many rows it stored.
    public func resumptionAtStart() async -> Int {
        while true {
            if let resumed = resumedAtStart.withLock({ $0 }) { return resumed }
            await resumedAtStartChanges.wait(for: 0) { self.resumedAtStart.withLock { $0 != nil } }
        }
    }

    func resumeAtStart() async {
        let resumed = await resumeOpenIntents()
        resumedAtStart.withLock { $0 = resumed }
        resumedAtStartChanges.notify(0)
    }

    /// Sends again, with their own idempotency keys, the submissions a previous run stored but did not finish (it
    /// stopped between storing one and inserting its row), and stores their rows. One the Help Desk refuses is
    /// forgotten; one it cannot be asked about now stays for the next start.
    /// - Returns: How many rows were stored.
    @discardableResult
    public func resumeOpenIntents() async -> Int {
        let intents: [SubmissionIntent]
        do {
            intents = try await store.openIntents(limit: Int.max)
        } catch {
            logger.error("interrupted submissions could not be read", metadata: ["error": "\(error)"])
            return 0
        }
        var resumed = 0
        for intent in intents where !sending.withLock({ $0.contains(intent.key) }) {
            do {
                let response = try await send(intent)
                let review = try await record(intent, response: response)
                resumed += 1
                logger.notice("resumed an interrupted submission", metadata: ["document.id": "\(review.documentId)"])
            } catch let error as HelpDeskClientError where !error.isRetryable {
                logger.warning("the Help Desk refused an interrupted submission", metadata: ["error": "\(error)"])
                await discard(intent)
            } catch {
                logger.warning("an interrupted submission is left for the next start", metadata: ["error": "\(error)"])
            }
        }
        return resumed
    }

    /// What ``recoverWebhooks(since:)`` did.
    public struct WebhookRecovery: Sendable, Hashable {
        /// Whether our endpoint had been disabled by the Help Desk and was enabled again.
        public var reenabled: Bool
        /// Messages the Help Desk put back in line.
        public var replayed: Int
    }

    /// Brings back the webhooks an outage of our receiver cost: enables our callback URL again if the Help Desk
    /// disabled it, then asks for a replay of every message that failed or met the disabled endpoint since `since`.
    /// Safe to run twice: the receiver deduplicates by `webhook-id`, and a replay skips what is back in line.
    public func recoverWebhooks(since: Date) async throws(HelpDeskClientError) -> WebhookRecovery {
        guard let callbackURL else { return WebhookRecovery(reenabled: false, replayed: 0) }
        // Nothing was ever sent to an endpoint the Help Desk does not know: nothing to replay.
        guard let endpoint = try await client.enableEndpoint(url: callbackURL) else { return WebhookRecovery(reenabled: false, replayed: 0) }
        // The event before this request's own says whether it was disabled.
        let reenabled = endpoint.events.dropLast().last?.status == .disabled
        let result = try await client.replayDeliveries(since: since, url: callbackURL)
        logger.notice("webhooks recovered", metadata: ["replayed": "\(result.replayed)", "reenabled": "\(reenabled)"])
        return WebhookRecovery(reenabled: reenabled, replayed: result.replayed)
    }

    /// Mounts our API and the webhook receiver on `router`.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        let receiverRoute = "POST \(Flows.receiverPath)"
        router.add(middleware: TrafficCountingMiddleware { [self] sample in
            metrics.record(sample)
            guard sample.route == receiverRoute else { return }
            self.receiverMeter.withLock { meter in
                meter.requests += 1
                meter.bytesReceived += sample.requestBytes
                meter.bytesSent += sample.responseBytes
            }
        })
        router.add(middleware: JSONErrorMiddleware())
        ReviewsController(app: self).addRoutes(to: router)
        ReceiverController(
            verifier: WebhookVerifier(secrets: configuration.webhookSecrets),
            ledger: ledger,
            thinFetcher: thinFetcher,
            meter: meter,
            outages: outages,
            wallClock: wallClock
        ).addRoutes(to: router)
        metrics.addRoutes(to: router)
    }

    /// An application serving our API and receiver, with the app's services.
    /// - Parameters:
    ///   - host: Address to bind; loopback by default.
    ///   - port: Port to bind; 0 picks a free one.
    ///   - middleware: Runs around every route, outside the app's own: a benchmark's injected receiver faults.
    ///   - onServerRunning: Called with the bound port once the server listens.
    ///   - routes: Adds routes beside the app's, behind the same middleware: a benchmark's ceiling route. It comes
    ///     last so that a trailing closure still means `onServerRunning`.
    public func makeApplication(
        host: String = "127.0.0.1",
        port: Int = 3333,
        middleware: [any MiddlewareProtocol<Request, Response, BasicRequestContext>] = [],
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        routes: (Router<BasicRequestContext>) -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: SimulationWorkMiddleware(activity: clock.activity))
        for each in middleware { router.add(middleware: each) }
        addRoutes(to: router)
        routes(router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "Flows"),
            services: services,
            onServerRunning: { [self] channel in
                let bound = channel.localAddress?.port ?? port
                self.boundURL.withLock { $0 = "http://\(host):\(bound)" }
                await onServerRunning(bound)
            },
            eventLoopGroupProvider: .shared(SimulationThread.eventLoopGroup),
            logger: logger
        )
    }
}

/// Finishes, once at start, the submissions a previous run left between storing and recording them, then waits
/// for shutdown like the other services (a service that returns would stop the app).
struct IntentResumption: Service {
    let app: ReviewApp

    func run() async throws {
        await cancelWhenGracefulShutdown { await app.resumeAtStart() }
        try? await WorkUnit.awayFromSimulation { try await gracefulShutdown() }
    }
}

/// Keeps the Help Desk client open while the app runs and shuts it down after everything else has stopped.
struct HelpDeskClientService: Service {
    let client: HelpDeskClient

    func run() async throws {
        try? await WorkUnit.awayFromSimulation { try await gracefulShutdown() }
        try await client.shutdown()
    }
}
