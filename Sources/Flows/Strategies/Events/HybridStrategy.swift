import Foundation
import HelpDeskAPI
import ServiceLifecycle
import SimulationSupport

/// `hybrid:R,T`: full webhooks for speed, plus a reconciliation sweep every `sweep` that, when any row has been
/// pending longer than `staleAfter`, reads the event feed to settle it. Webhooks that were dropped or exhausted their
/// retries are caught within R + T; when webhooks work, a sweep costs one query and no request.
///
/// Model: a delivered webhook waits for nothing. A document whose webhook never comes (a share p) is settled by the
/// first sweep after its row is T old and decided: the sweeps tick at an unrelated phase, so that is
/// max(T, D) − D plus a uniform wait on [0, R], integrated over D. It is an upper bound: a sweep triggered by another
/// stale row reads the feed sooner. Once rows go stale, every sweep reads the feed: (window − T) / R reads, and one
/// page per 100 decisions, shared by all documents. Nothing is lost. Over a network of one-way delay d, a webhook
/// arrives d after the decision, and a sweep's read applies what it finds d after it reached the Help Desk. With
/// dropped webhooks, duplicates, delays, receiver outages or slow answers, the sweeps are followed tick by tick over
/// each document's webhook timeline instead (``ReconciliationTimeline``): the exact figure the bound above brackets.
public struct Hybrid: StrategyDefinition {
    public static let name = "hybrid"
    public static let mechanisms: [VendorMechanism] = [.webhook, .feed]
    public static let usage = "hybrid:SWEEP,STALE_AFTER"
    public static let summary = "webhooks, plus a sweep every SWEEP that reads the event feed when a row has been pending over STALE_AFTER"
    public static let standard = Hybrid(sweep: .seconds(60), staleAfter: .seconds(120))

    public var sweep: Duration
    public var staleAfter: Duration

    public init(sweep: Duration, staleAfter: Duration) {
        self.sweep = sweep
        self.staleAfter = staleAfter
    }

    public init(parameters: [String]) throws(StrategySpecError) {
        let values = try StrategyParameters(parameters, usage: Self.usage, most: 2)
        sweep = try values.duration(0, "the sweep interval", standard: Self.standard.sweep)
        staleAfter = try values.duration(1, "the stale age", standard: Self.standard.staleAfter)
    }

    public var parameterText: String { "\(sweep.compactDescription),\(staleAfter.compactDescription)" }
    public var callbackStyle: CallbackPayloadStyle? { .full }
    public var longestInterval: Duration { sweep + staleAfter }

    public func makeStrategy(context: StrategyContext) -> any Strategy {
        HybridStrategy(spec: StrategySpec(self), sweep: sweep, staleAfter: staleAfter, context: context)
    }

    public func model(_ workload: ModelWorkload) -> StrategyModel {
        guard workload.deliveryFaults.isNone, workload.webhookDropRate == 0 else {
            return ReconciliationTimeline.model(workload, sweep: sweep, staleAfter: staleAfter)
        }
        let delivery = Webhook.deliveryModel(workload, extraRequests: 0).delayed(by: workload.networkDelay)
        let missed = delivery.lostShare
        let stale = staleAfter.secondsValue
        let period = sweep.secondsValue
        let grid = workload.delayGrid(count: 200)
        let phases = (0..<100).map { period * (Double($0) + 0.5) / 100 }
        let caught = LatencyModel(points: grid.flatMap { delay in phases.map { max(stale, delay) - delay + $0 + workload.networkDelay } })
        let pages = Double(workload.documents) / Double(EventFeedReader.pageSize)
        let missedReads = missed > 0 ? max(0, workload.window.secondsValue - stale) / period + pages : 0
        // Reviews longer than the staleness threshold make rows stale without any webhook missed: with Poisson
        // arrivals, the rows pending past it at a sweep are Poisson with mean λ·E[(D − T)⁺] (M/G/∞), and a sweep
        // reads the feed when there is at least one.
        let overdue = workload.average { max(0, $0 - stale) }
        let staleShare = 1 - exp(-workload.decisionRate * overdue)
        let staleReads = staleShare > 0 ? workload.window.secondsValue / period * staleShare + pages : 0
        let reads = max(missedReads, staleReads)
        let documents = Double(max(workload.documents, 1))
        // A sweep's read finds something when a missed decision came since the last one; with nothing missed, its
        // pages carry only verdicts the webhooks already applied.
        let empty = missed > 0 ? min(reads / documents, workload.emptyFeedReads(every: sweep, rate: workload.decisionRate * missed)) : reads / documents
        return StrategyModel(
            latency: .mixture([(1 - missed, delivery.latency), (missed, caught)]),
            requestsPerDocument: delivery.requestsPerDocument + reads / documents,
            wastedRequestsPerDocument: delivery.wastedRequestsPerDocument + empty,
            writesPerDocument: delivery.writesPerDocument + reads / documents - empty,
            deliveriesPerDocument: delivery.deliveriesPerDocument,
            lostShare: 0
        )
    }
}

extension StrategySpec {
    public static func hybrid(sweep: Duration, staleAfter: Duration) -> StrategySpec {
        StrategySpec(Hybrid(sweep: sweep, staleAfter: staleAfter))
    }
}

/// The running side of `hybrid`.
struct HybridStrategy: Strategy {
    static let cursorName = "hybrid-reconciliation"

    let spec: StrategySpec
    let sweep: Duration
    let staleAfter: Duration
    let context: StrategyContext

    var callbackStyle: CallbackPayloadStyle? { .full }

    func watch(_ review: Review) {}

    func run() async throws {
        let reader = EventFeedReader(cursorName: Self.cursorName, source: .reconciliation, context: context)
        await PeriodicTask(clock: context.clock, period: sweep).run {
            do {
                let stale = try await context.ledger.store.pendingReviews(createdBefore: context.wallTime(modelAgo: staleAfter), limit: 1)
                // With a shared database, one instance at a time reconciles: the one holding the feed's lease.
                guard !stale.isEmpty, await context.holdsFeed(Self.cursorName, for: sweep * 3) else { return nil }
                return try await reader.drain()
            } catch {
                context.logger.warning("reconciliation sweep failed", metadata: ["error": "\(error)"])
                return nil
            }
        }
    }
}
