import Foundation
import HelpDeskAPI
import Logging
import ServiceLifecycle
import SimulationSupport
import Synchronization

/// The per-document pollers (`poll-fixed`, `poll-backoff`, `poll-conditional`, `long-poll`): each pending review
/// is asked about on its own schedule until it is decided.
///
/// Every pending poll waits in one ``DeadlineQueue``; due polls run as child tasks, at most `maxRequestsInFlight`
/// at once. A 429 or 503 with `Retry-After` pauses every poll until then. On start the strategy resumes watching the
/// rows the database still holds as pending, so a restart loses none.
///
/// When the database is shared with other instances (``InstanceSharing``), a document is polled only once this
/// instance holds its lease: it leases what it submitted before the first poll, renews its leases every third of
/// their length, takes over the pending documents whose lease lapsed, and on start takes back what it held before
/// instead of every pending row.
final class DocumentPollingStrategy: Strategy {
    private struct Watch: Sendable {
        var documentId: String
        var attempt: Int
        var etag: String?
        /// When this poll was due: the next one is due a delay later, so the time a request takes does not stretch
        /// the schedule (a fixed poll stays one per interval).
        var due: SimulationClock.Instant
    }

    let spec: StrategySpec
    private let policy: PollPolicy
    private let context: StrategyContext
    private let queue: DeadlineQueue<Watch>
    private let gate = RetryGate()
    /// Documents being watched, so a row loaded at start and submitted at the same moment is polled once.
    private let watched = Mutex<Set<String>>([])
    /// With a shared database, the watched documents this instance holds a lease on.
    private let leased = Mutex<Set<String>>([])

    init(spec: StrategySpec, policy: PollPolicy, context: StrategyContext) {
        self.spec = spec
        self.policy = policy
        self.context = context
        self.queue = DeadlineQueue(clock: context.clock)
    }

    var callbackStyle: CallbackPayloadStyle? { nil }

    func watch(_ review: Review) {
        guard !review.documentStatus.isDecided, watched.withLock({ $0.insert(review.documentId).inserted }) else { return }
        let now = context.clock.now
        schedule(Watch(documentId: review.documentId, attempt: 1, etag: nil, due: now), after: nil)
    }

    func run() async throws {
        guard let sharing = context.sharing else {
            let stored = try await context.ledger.store.pendingReviews(createdBefore: context.wallClock(), limit: Int.max)
            stored.forEach(watch)
            await serve()
            return
        }
        try await takeOver(sharing, reclaimingOwn: true)
        // The lease keeper and the poller work on their own; this task only waits for both to stop at shutdown.
        let activity = context.clock.activity
        let (keeper, poller) = (activity.begin("\(spec)'s lease keeper"), activity.begin("\(spec)'s poller"))
        await WorkUnit.awayFromSimulation {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { [self] in
                    await keeper.run {
                        await PeriodicTask(clock: context.clock, period: sharing.lease / 3).run {
                            await self.keepLeases(sharing)
                            return nil
                        }
                    }
                }
                group.addTask { [self] in await poller.run { await serve() } }
            }
        }
    }

    private func serve() async {
        // Polls are reads: on shutdown the ones in flight are cancelled (a long-poll could take its whole wait) and
        // the rows they watched stay pending for the next start.
        await cancelWhenGracefulShutdown { [self] in
            await queue.serve(maxConcurrent: context.maxRequestsInFlight, label: { "poll of \($0.documentId) #\($0.attempt)" }, poll)
        }
    }

    /// Renews this instance's leases (dropping the documents another instance took over when one lapsed), then
    /// takes over the documents whose lease lapsed.
    private func keepLeases(_ sharing: InstanceSharing) async {
        do {
            // Only what was leased before the renewal can be missing from it: a lease taken meanwhile is not lost.
            let before = leased.withLock { $0 }
            let held = try await context.ledger.store.renewLeases(of: sharing.instance, until: context.wallTime(modelFromNow: sharing.lease))
            let lost = before.subtracting(held)
            leased.withLock { $0.subtract(lost) }
            watched.withLock { $0.subtract(lost) }
            try await takeOver(sharing, reclaimingOwn: false)
        } catch {
            context.logger.warning("leases could not be kept", metadata: ["error": "\(error)"])
        }
    }

    private func takeOver(_ sharing: InstanceSharing, reclaimingOwn: Bool) async throws {
        let reviews = try await context.ledger.store.takeOverDocuments(
            to: sharing.instance,
            until: context.wallTime(modelFromNow: sharing.lease),
            now: context.wallClock(),
            unleasedBefore: context.wallTime(modelAgo: sharing.lease),
            reclaimingOwn: reclaimingOwn,
            limit: 10_000
        )
        leased.withLock { held in held.formUnion(reviews.map(\.documentId)) }
        reviews.forEach(watch)
    }

    /// With a shared database, whether this instance holds `documentId`'s lease, taking it if it is free; a document
    /// another instance holds is dropped from this one's watch.
    private func holdsLease(_ documentId: String) async -> Bool {
        guard let sharing = context.sharing, !leased.withLock({ $0.contains(documentId) }) else { return true }
        do {
            let held = try await context.ledger.store.leaseDocuments(
                [documentId],
                to: sharing.instance,
                until: context.wallTime(modelFromNow: sharing.lease),
                now: context.wallClock()
            )
            guard !held.isEmpty else { return false }
            leased.withLock { _ = $0.insert(documentId) }
            return true
        } catch {
            context.logger.warning("a document's lease could not be taken", metadata: ["document.id": "\(documentId)", "error": "\(error)"])
            return false
        }
    }

    /// Schedules `watch`'s poll a policy delay after the previous one was due (never in the past), and no sooner
    /// than `minimum` from now.
    private func schedule(_ watch: Watch, after minimum: Duration?) {
        let now = context.clock.now
        var due = max(watch.due.advanced(by: policy.delay(watch.attempt, watch.documentId)), now)
        if let minimum { due = max(due, now.advanced(by: minimum)) }
        var next = watch
        next.due = due
        queue.schedule(next, at: due)
    }

    private func poll(_ watch: Watch) async {
        let now = context.clock.now
        if let pausedUntil = gate.pausedUntil(now: now) {
            var paused = watch
            paused.due = pausedUntil
            queue.schedule(paused, at: pausedUntil)
            return
        }
        guard watched.withLock({ $0.contains(watch.documentId) }), await holdsLease(watch.documentId) else {
            _ = watched.withLock { $0.remove(watch.documentId) }
            return
        }
        var next = watch
        next.attempt += 1
        context.polls.notify(watch.documentId)
        do {
            let answer = try await context.meter.measure { () async throws -> HelpDeskClient.StatusAnswer in
                let answer = try await context.client.document(
                    watch.documentId,
                    ifNoneMatch: policy.conditional ? watch.etag : nil,
                    wait: policy.wait
                )
                if case .state(let state, _) = answer, state.documentStatus.isDecided {
                    _ = try await context.ledger.apply(Verdict(documentId: state.documentId, status: state.documentStatus), source: .poll)
                }
                return answer
            }
            switch answer {
            case .state(let state, _) where state.documentStatus.isDecided:
                _ = watched.withLock { $0.remove(watch.documentId) }
                _ = leased.withLock { $0.remove(watch.documentId) }
            case .state(_, let etag):
                next.etag = etag ?? watch.etag
                schedule(next, after: nil)
            case .notModified:
                schedule(next, after: nil)
            case .retryLater(let retryAfter):
                let pause = retryAfter ?? .seconds(1)
                gate.pause(until: context.clock.now.advanced(by: pause))
                schedule(next, after: pause)
            }
        } catch {
            guard !Task.isCancelled else { return }
            context.logger.warning("status poll failed", metadata: ["document.id": "\(watch.documentId)", "error": "\(error)"])
            schedule(next, after: .seconds(1))
        }
    }
}
