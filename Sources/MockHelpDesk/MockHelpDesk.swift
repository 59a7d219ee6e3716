import Foundation
import HTTPTypes
import HelpDeskAPI
import Logging
import ServerSupport
import ServiceLifecycle
import SimulationSupport
import Synchronization

/// The simulated vendor: a Help Desk whose humans review documents after a seeded delay and report the verdict
/// by webhook, by document status, and in an event feed.
///
/// Serve it with ``makeApplication(host:port:logger:onServerRunning:)`` or mount ``addRoutes(to:)`` on a router of
/// your own and run ``services`` beside it: the review scheduler and the webhook dispatcher.
public final class MockHelpDesk: Sendable {
    public let configuration: HelpDeskConfiguration
    /// The model-time clock every wait of the Help Desk goes through.
    public let clock: SimulationClock
    let registry = DocumentRegistry()
    let counters = HelpDeskCounters()
    let scheduler: ReviewScheduler
    let dispatcher: WebhookDispatcher
    let faults: FaultPlan
    let logger: Logger
    private let wallClock: @Sendable () -> Date
    /// Idempotency keys and the ordinal of the document each one made.
    private let idempotency: Mutex<IdempotencyTable<UInt64>>
    let readGate: ReadAPIGate
    private let decisionListeners = Listeners<UInt64>()

    /// - Parameters:
    ///   - configuration: Delays, ratios, faults and limits; checked here.
    ///   - secret: Signs every webhook.
    ///   - clock: Model time, scaled as the caller chose.
    ///   - logger: Receives one line per webhook attempt and every unexpected error.
    ///   - wallClock: Wall time for `updatedAt`, `occurredAt` and `webhook-timestamp`.
    public init(
        configuration: HelpDeskConfiguration = HelpDeskConfiguration(),
        secret: WebhookSecret,
        clock: SimulationClock,
        logger: Logger,
        wallClock: @escaping @Sendable () -> Date = { Date() }
    ) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.wallClock = wallClock
        self.faults = FaultPlan(seed: configuration.seed, configuration: configuration.faults)
        let readGate = ReadAPIGate(rateLimit: configuration.faults.rateLimit, feedRateLimit: configuration.faults.feedRateLimit, now: clock.now)
        self.readGate = readGate
        let webhooksCount = configuration.faults.webhooksCountAgainstRateLimit
        self.dispatcher = WebhookDispatcher(
            configuration: configuration.delivery,
            network: configuration.network,
            seed: configuration.seed,
            clock: clock,
            secret: secret,
            faults: faults,
            counters: counters,
            logger: logger,
            wallClock: wallClock,
            attemptStarted: { readGate.attemptStarted(at: clock.now, countsAgainstLimit: webhooksCount) }
        )
        let decider = ReviewDecider(
            registry: registry,
            dispatcher: dispatcher,
            counters: counters,
            clock: clock,
            wallClock: wallClock,
            logger: logger,
            listeners: decisionListeners
        )
        self.scheduler = ReviewScheduler(clock: clock, decide: decider.decide)
        self.idempotency = Mutex(IdempotencyTable(ttl: configuration.idempotencyKeyTTL))
        collectMetrics()
    }

    /// The long-running parts to run beside the HTTP server: the review scheduler and the webhook dispatcher. Each
    /// call makes them new work units of the simulation (see ``SimulatedService``): ask only for services to run.
    public var services: [any Service] {
        [
            SimulatedService(scheduler, activity: clock.activity, label: "the Help Desk's review scheduler"),
            SimulatedService(dispatcher, activity: clock.activity, label: "the Help Desk's webhook dispatcher"),
        ]
    }

    /// Calls `listener` with the submission ordinal of every document decided from now on, as it is decided.
    public func onDecision(_ listener: @escaping @Sendable (_ ordinal: UInt64) -> Void) {
        decisionListeners.add(listener)
    }

    /// Every counter, as `GET /_stats` serves it.
    public func stats() -> HelpDeskStats {
        counters.snapshot(documents: registry.documentCounts)
    }

    /// Every decision so far, in the order made, with model-time instants.
    public var decisions: [HelpDeskDecision] { registry.decisions }

    /// Which submission made a document (0-based), if the Help Desk knows it: an index for per-document tallies.
    public func submissionOrdinal(of documentId: String) -> UInt64? {
        registry.ordinal(of: documentId)
    }

    /// The id of the document a submission made (0-based), if there was one.
    public func documentId(ofSubmission ordinal: UInt64) -> String? {
        registry.submitResponse(ordinal: ordinal)?.documentId
    }

    /// When the document of a submission was decided and with which verdict, if it has been: one decision without
    /// building ``decisions``, the whole list with its ids.
    public func decision(ofSubmission ordinal: UInt64) -> (decidedAt: SimulationClock.Instant, verdict: DocumentStatus)? {
        registry.decision(ordinal: ordinal)
    }

    /// Reviews scheduled and not yet decided.
    public var pendingReviews: Int { scheduler.pendingCount }

    /// Whether every webhook has been sent for good: none is scheduled (first send, duplicate or retry) or in flight.
    public var deliveriesSettled: Bool { dispatcher.isIdle }

    /// Returns once ``deliveriesSettled`` holds.
    public func waitForDeliveriesSettled() async {
        await dispatcher.waitUntilIdle()
    }

    /// Returns once at least `count` reviews have been decided.
    public func waitForDecisions(count: Int) async {
        while registry.eventCount < count, !Task.isCancelled {
            await registry.feedChanges.wait(for: .decisions) { [registry] in registry.eventCount >= count }
        }
    }

    /// Returns once the counters satisfy `predicate`, checked now and after every change.
    public func waitForStats(where predicate: @escaping @Sendable (HelpDeskStats) -> Bool) async {
        while !predicate(stats()), !Task.isCancelled {
            await counters.changes.wait(for: 0) { predicate(self.stats()) }
        }
    }

    /// Submits a checked document: creates it and schedules its review, honouring its idempotency key.
    func submit(_ submission: Submission) async throws(APIError) -> (response: SubmitDocumentResponse, replayed: Bool) {
        if let key = submission.idempotencyKey {
            let reservation = idempotency.withLock { $0.reserve(key, for: submission.fingerprint, at: clock.now) }
            switch reservation {
            case .proceed:
                break
            case .replay(let ordinal):
                guard let response = registry.submitResponse(ordinal: ordinal) else {
                    throw APIError(.internalServerError, "the document of this idempotency key is gone")
                }
                return (response, true)
            case .inFlight:
                throw APIError(.conflict, "a request with this idempotency key is still in flight", field: HelpDeskHeader.idempotencyKey)
            case .mismatch:
                throw APIError(
                    .unprocessableContent,
                    "this idempotency key was already used with a different request",
                    field: HelpDeskHeader.idempotencyKey
                )
            }
        }
        if configuration.submitLatency > .zero {
            do {
                try await clock.sleep(for: configuration.submitLatency)
            } catch {
                if let key = submission.idempotencyKey { idempotency.withLock { $0.release(key) } }
                throw APIError(.serviceUnavailable, "the request was cancelled")
            }
        }
        let (response, ordinal) = createDocument(submission)
        if let key = submission.idempotencyKey { idempotency.withLock { $0.complete(key, with: ordinal) } }
        return (response, false)
    }

    private func createDocument(_ submission: Submission) -> (SubmitDocumentResponse, ordinal: UInt64) {
        let now = clock.now
        let configuration = self.configuration
        let record = registry.create(
            metadata: submission.request.metadata,
            callback: submission.callback,
            at: now,
            wallTime: wallClock()
        ) { ordinal in
            ReviewPlan.draw(
                seed: configuration.seed,
                ordinal: configuration.reviewDraw(ofSubmission: ordinal),
                delay: configuration.reviewDelay,
                acceptRatio: configuration.acceptRatio
            )
        }
        scheduler.schedule(record.state.documentId, at: now.advanced(by: record.plan.delay))
        counters.touch()
        return (SubmitDocumentResponse(agentId: record.state.agentId, documentId: record.state.documentId, documentStatus: .pendingReview), record.ordinal)
    }

    /// Admits a request to the read API (status, events, stream) under the rate limit, or answers 429 with
    /// `Retry-After`.
    /// - Returns: The `X-RateLimit-*` headers its answer carries (none without a limit).
    /// - Parameter feed: Whether the request reads the event feed, which may have a stricter limit of its own.
    func admitPolling(feed: Bool = false) throws(APIError) -> HTTPFields {
        guard let decision = readGate.admit(at: clock.now, feed: feed) else { return [:] }
        guard decision.admitted else {
            counters.updateFaults { $0.rateLimited += 1 }
            var refusal = APIError.retryLater(.tooManyRequests, "rate limit exceeded", afterSeconds: Int((decision.retryAfter ?? .zero).secondsValue.rounded(.up)))
            refusal.headers.append(contentsOf: decision.headers)
            throw refusal
        }
        return decision.headers
    }

    /// Answers 503 to the status requests that fault injection picks.
    func admitStatusRequest() throws(APIError) {
        guard faults.failsStatusRequest(readGate.nextStatusRequest()) else { return }
        counters.updateFaults { $0.statusFailures += 1 }
        throw .retryLater(.serviceUnavailable, "the Help Desk is temporarily unavailable", afterSeconds: 1)
    }

    /// The most requests to the read API in one model minute, and webhook attempts begun in one model second and
    /// in one model minute, so far.
    public var peakRates: (readsPerMinute: Int, attemptsPerSecond: Int, attemptsPerMinute: Int) { readGate.peaks }
}
