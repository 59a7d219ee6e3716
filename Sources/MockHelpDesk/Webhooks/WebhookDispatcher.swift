import AsyncHTTPClient
import Foundation
import HelpDeskAPI
import Logging
import ServerSupport
import NIOCore
import ServiceLifecycle
import SimulationSupport
import Synchronization

/// Sends signed webhooks at least once, retrying on ``RetrySchedule`` until a receiver answers 2xx.
///
/// Every send waits in one ``DeadlineQueue`` until it is due, then runs as a child task of ``run()``, at most
/// ``DeliveryConfiguration/maxConcurrentAttempts`` at once. Each attempt is signed with the wall clock of the moment
/// it is sent (receivers compare `webhook-timestamp` with their own clock, whatever the time scale), and fails after
/// the delivery timeout of model time. On graceful shutdown no new attempt starts and those in flight finish.
/// The HTTP client lives exactly as long as ``run()``.
public final class WebhookDispatcher: Service {
    enum Job: Sendable {
        case attempt(deliveryId: String)
        case duplicate(deliveryId: String)
    }

    private let configuration: DeliveryConfiguration
    private let network: NetworkDelay
    private let seed: UInt64
    private let clock: SimulationClock
    private let signer: WebhookSigner
    private let faults: FaultPlan
    private let counters: HelpDeskCounters
    private let logger: Logger
    private let wallClock: @Sendable () -> Date
    private let book: Mutex<DeliveryBook>
    private let queue: DeadlineQueue<Job>
    /// Called as each attempt starts.
    private let attemptStarted: @Sendable () -> Void

    init(
        configuration: DeliveryConfiguration,
        network: NetworkDelay = .none,
        seed: UInt64,
        clock: SimulationClock,
        secret: WebhookSecret,
        faults: FaultPlan,
        counters: HelpDeskCounters,
        logger: Logger,
        wallClock: @escaping @Sendable () -> Date,
        attemptStarted: @escaping @Sendable () -> Void = {}
    ) {
        self.attemptStarted = attemptStarted
        self.configuration = configuration
        self.network = network
        self.seed = seed
        self.clock = clock
        self.signer = WebhookSigner(secret: secret)
        self.faults = faults
        self.counters = counters
        self.logger = logger
        self.wallClock = wallClock
        self.book = Mutex(DeliveryBook(schedule: configuration.schedule, jitter: configuration.jitter, policy: configuration.endpoints))
        self.queue = DeadlineQueue(clock: clock)
    }

    /// Creates the webhook message of a decided document and schedules its first send, applying planned faults.
    func enqueue(documentId: String, callbackURL: URL, body: Data) {
        let (id, planned) = book.withLock { book in
            let ordinal = UInt64(book.count)
            var random = SeededGenerator(seed: seed, stream: "webhook-id", index: ordinal)
            let message = DeliveryBook.Message(
                webhookId: "msg_" + ReviewPlan.hex(random.next()),
                documentId: documentId,
                callbackURL: callbackURL,
                body: body
            )
            let planned = faults.deliveryFaults(forMessage: ordinal)
            let id = book.add(message, dropped: planned.drop, createdAt: wallClock()).id
            if planned.duplicate, !planned.drop { book.expectDuplicate(id) }
            return (id, planned)
        }
        counters.updateDeliveries { counts in
            counts.messages += 1
            if planned.drop { counts.dropped += 1 }
        }
        guard !planned.drop else {
            logger.debug("webhook dropped by fault injection", metadata: ["delivery.id": "\(id)"])
            return
        }
        let now = clock.now
        queue.schedule(.attempt(deliveryId: id), at: now.advanced(by: planned.firstSendDelay))
        if planned.duplicate {
            queue.schedule(.duplicate(deliveryId: id), at: now.advanced(by: planned.duplicateDelay))
        }
    }

    /// Sends a dead-lettered or disabled message again, its schedule started over.
    func redeliver(_ deliveryId: String) throws(APIError) -> Delivery {
        let delivery = try book.withLock { (book) throws(APIError) in try book.requestRedelivery(deliveryId) }
        counters.updateDeliveries { $0.redeliveriesRequested += 1 }
        queue.schedule(.attempt(deliveryId: deliveryId), at: clock.now)
        return delivery
    }

    /// Sends again every failed or disabled message created at or after `since` (for `url` alone, when given).
    func replay(since: Date, url: String?) throws(APIError) -> ReplayResult {
        guard since <= wallClock() else {
            throw APIError(.badRequest, "since must not be in the future", field: "since")
        }
        let ids = try book.withLock { (book) throws(APIError) in try book.replay(since: since, url: url) }
        counters.updateDeliveries { $0.redeliveriesRequested += ids.count }
        let now = clock.now
        for id in ids { queue.schedule(.attempt(deliveryId: id), at: now) }
        return ReplayResult(replayed: ids.count, deliveries: ids)
    }

    /// Enables a callback URL again.
    func enableEndpoint(_ url: String) throws(APIError) -> Endpoint {
        let now = clock.now
        return try book.withLock { (book) throws(APIError) in
            try book.enable(url, now: now)
            return book.endpointList(date: date(of:)).first { $0.url == url }!
        }
    }

    /// Every callback URL webhooks were sent to, with its status.
    func endpoints() -> [Endpoint] {
        book.withLock { $0.endpointList(date: date(of:)) }
    }

    /// The wall-clock time of a model instant, as signatures and attempt logs give it.
    private func date(of instant: SimulationClock.Instant) -> Date {
        wallClock().addingTimeInterval(clock.baseDuration(fromModel: clock.now.duration(to: instant)).secondsValue)
    }

    func deliveries(status: DeliveryStatus?, limit: Int) -> [Delivery] {
        book.withLock { $0.deliveries(status: status, limit: limit) }
    }

    func delivery(_ id: String) -> Delivery? {
        book.withLock { $0.delivery(id) }
    }

    /// Whether no send is scheduled or in flight.
    var isIdle: Bool { queue.isIdle }

    /// Returns once no send is scheduled or in flight.
    func waitUntilIdle() async {
        await queue.waitUntilIdle()
    }

    public func run() async throws {
        var clientConfiguration = Self.clientConfiguration(configuration)
        // On a virtual clock a receiver that is down fails its attempt at once: the retry schedule, in model time,
        // takes over (a wall-time retry of the connection would hold model time still).
        clientConfiguration.connectionPool.retryConnectionEstablishment = !clock.isVirtual
        // No spans: with the global no-op tracer the client would still build each attempt's span attributes.
        clientConfiguration.tracing.tracer = nil
        let client = HTTPClient(eventLoopGroup: SimulationThread.eventLoopGroup, configuration: clientConfiguration)
        await withGracefulShutdownHandler {
            await self.serve(using: client)
        } onGracefulShutdown: {
            self.queue.finish()
        }
        try await client.shutdown()
    }

    private func serve(using client: HTTPClient) async {
        // The queue returns nil once finished; leaving `serve` awaits the attempts in flight: the drain.
        await queue.serve(maxConcurrent: configuration.maxConcurrentAttempts, label: { "webhook \($0)" }) { job in
            await self.perform(job, using: client)
        }
    }

    private func perform(_ job: Job, using client: HTTPClient) async {
        switch job {
        case .attempt(let deliveryId):
            await attempt(deliveryId, using: client)
        case .duplicate(let deliveryId):
            guard let message = book.withLock({ $0.takeDuplicate(deliveryId) }) else { return }
            let result = await send(message, attempt: 0, using: client)
            counters.updateDeliveries { $0.duplicatesSent += 1 }
            logger.debug("duplicate webhook sent", metadata: ["delivery.id": "\(deliveryId)", "result": "\(result)"])
        }
    }

    private func attempt(_ deliveryId: String, using client: HTTPClient) async {
        let ticket: DeliveryBook.Ticket
        let now = clock.now
        switch book.withLock({ $0.startAttempt(deliveryId, now: now) }) {
        case .send(let started): ticket = started
        case .disabled:
            counters.updateDeliveries { $0.disabled += 1 }
            return
        case .wait(let until):
            queue.schedule(.attempt(deliveryId: deliveryId), at: until)
            return
        case .skip:
            return
        }
        let startedAt = wallClock()
        let started = clock.now
        attemptStarted()
        let result = await send(ticket.message, attempt: ticket.attemptNumber, using: client)
        let attempt = DeliveryAttempt(
            number: ticket.attemptNumber,
            startedAt: startedAt,
            statusCode: result.statusCode,
            error: result.errorLabel,
            durationMs: clock.baseDuration(fromModel: started.duration(to: clock.now)).millisecondsValue
        )
        var jitter = SeededGenerator(seed: seed, stream: "retry-jitter", index: ticket.ordinal << 16 | UInt64(ticket.attemptNumber))
        let next = book.withLock {
            $0.finish(ticket, attempt: attempt, verdict: result.verdict, now: clock.now, jitterUnit: jitter.nextUnit())
        }
        counters.updateDeliveries { counts in
            counts.attempts += 1
            if result.verdict != .delivered { counts.failedAttempts += 1 }
            if result == .timedOut { counts.timedOut += 1 }
            switch next {
            case .delivered: counts.delivered += 1
            case .deadLettered: counts.deadLettered += 1
            case .disabled: counts.disabled += 1
            case .retry: break
            }
        }
        switch next {
        case .delivered:
            // From the document's decision (when its message was made) to this attempt's 2xx.
            if let created = book.withLock({ $0.createdAt(deliveryId) }) {
                counters.metrics.recordDuration(.webhookDeliveryLatency, [], .seconds(wallClock().timeIntervalSince(created)))
            }
        case .retry:
            counters.metrics.increment(.webhookRetriesScheduled)
        default:
            break
        }
        logger.info(
            "webhook attempt",
            metadata: [
                "delivery.id": "\(deliveryId)",
                "attempt": "\(attempt.number)",
                "status": "\(attempt.statusCode.map(String.init) ?? attempt.error ?? "-")",
                "duration_ms": "\(Int(attempt.durationMs.rounded()))",
                "next": "\(next)",
            ]
        )
        if case .retry(let at) = next {
            queue.schedule(.attempt(deliveryId: deliveryId), at: at)
        }
    }

    /// One signed POST, bounded by the delivery timeout on the simulation clock, over the modelled network.
    /// - Parameter attempt: The attempt's number, 0 for an injected duplicate: with the message, what names its
    ///   crossings of the network.
    private func send(_ message: DeliveryBook.Message, attempt: Int, using client: HTTPClient) async -> AttemptResult {
        let timestamp = Int64(wallClock().timeIntervalSince1970)
        var request = HTTPClientRequest(url: message.callbackURL.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "MockHelpDesk-Webhooks/1.0")
        for field in signer.headers(id: message.webhookId, timestamp: timestamp, body: message.body).fields {
            request.headers.add(name: field.name, value: field.value)
        }
        request.body = .bytes(ByteBuffer(bytes: message.body))
        let timeout = max(configuration.timeout, clock.modelDuration(fromBase: configuration.minimumWallTimeout))
        let deadline = clock.now.advanced(by: timeout)
        let crossing = "webhook \(message.webhookId) #\(attempt)"
        let network = (self.network.delay(for: crossing + " request"), self.network.delay(for: crossing + " answer"))
        let result = await clock.run(until: deadline, label: "webhook \(message.webhookId) attempt \(attempt)") { [clock, request] () async -> AttemptResult in
            do {
                return try await clock.exchange("POST webhook \(message.webhookId)", network: network) { token in
                    var request = request
                    if let token { request.headers.add(name: SimulationClock.workHeader, value: token) }
                    // The model-time deadline above is the real timeout; this one only bounds a stalled connection.
                    let response = try await client.execute(request, timeout: .minutes(10))
                    for try await _ in response.body {}
                    return .answered(status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"))
                }
            } catch {
                return .transportFailed(String(String(describing: error).prefix(120)))
            }
        }
        return result ?? .timedOut
    }

    private static func clientConfiguration(_ configuration: DeliveryConfiguration) -> HTTPClient.Configuration {
        var client = HTTPClient.Configuration()
        // A redirect could point anywhere: never follow one past the callback allow-list.
        client.redirectConfiguration = .disallow
        client.connectionPool = .init(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.maxConcurrentAttempts
        )
        client.timeout = .init(connect: .seconds(10))
        client.decompression = .disabled
        client.httpVersion = .http1Only
        return client
    }
}
