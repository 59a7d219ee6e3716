import Foundation
import HelpDeskAPI
import Logging
import ServiceLifecycle
import SimulationSupport
import Synchronization

/// A way for our app to learn verdicts. Each strategy is a service run beside the app's server.
public protocol Strategy: Service {
    var spec: StrategySpec { get }
    /// How the Help Desk should call us back, or `nil` for a strategy that only polls.
    var callbackStyle: CallbackPayloadStyle? { get }
    /// Starts watching a review that is still pending. Strategies that wait for webhooks ignore it.
    func watch(_ review: Review)
}

/// The requests by which our app learned, or tried to learn, verdicts, and how many of them learned nothing.
///
/// They are the polls and feed reads it made, the thin fetches, and the webhook deliveries its receiver received;
/// submissions are not among them.
public struct StrategyCounts: Sendable, Hashable {
    public var requests = 0
    /// Of those, requests after which no row changed: a poll still pending, a 304, a 429 or 503, a feed page with
    /// nothing new, a duplicate or refused webhook, a failure.
    public var wasted = 0

    public init() {}
}

/// Counts learning requests, and which of them learned nothing, for every strategy alike.
///
/// Each request by which the app tries to learn a verdict runs inside ``measure(_:)``, which sets a task-local
/// ``LearningScope``; the ledger marks the scope when a row changes (or a thin notification is recorded), and the
/// request counts as wasted unless it was marked. No strategy records its own requests.
final class StrategyMeter: Sendable {
    private let counts = Mutex(StrategyCounts())

    /// Runs one learning request and counts it: wasted unless something was learned while it ran, also when it throws.
    func measure<Result>(_ request: () async throws -> Result) async rethrows -> Result {
        let scope = LearningScope()
        defer { record(wasted: !scope.learned) }
        return try await LearningScope.$current.withValue(scope) { try await request() }
    }

    private func record(wasted: Bool) {
        counts.withLock { counts in
            counts.requests += 1
            if wasted { counts.wasted += 1 }
        }
    }

    var snapshot: StrategyCounts { counts.withLock { $0 } }
}

/// Whether the learning request running in this task learned anything.
final class LearningScope: Sendable {
    @TaskLocal static var current: LearningScope?

    private let marked = Atomic<Bool>(false)

    var learned: Bool { marked.load(ordering: .relaxed) }

    /// Marks the request running in this task, if any, as one that learned something.
    static func markLearned() {
        current?.marked.store(true, ordering: .relaxed)
    }
}

/// What every strategy works with: the client, the ledger, model time, and the meter every learning request goes
/// through.
public struct StrategyContext: Sendable {
    let client: HelpDeskClient
    let ledger: VerdictLedger
    let clock: SimulationClock
    let meter: StrategyMeter
    let seed: UInt64
    let maxRequestsInFlight: Int
    let wallClock: @Sendable () -> Date
    let logger: Logger
    /// When the database is shared with other instances: this one's name and lease length.
    var sharing: InstanceSharing?
    /// Told of every status poll.
    var polls = Listeners<String>()

    /// The wall-clock time `model` ago, for comparing model ages with stored timestamps.
    func wallTime(modelAgo model: Duration) -> Date {
        wallClock().addingTimeInterval(-clock.baseDuration(fromModel: model).secondsValue)
    }

    /// The wall-clock time `model` from now, for lease expiries.
    func wallTime(modelFromNow model: Duration) -> Date {
        wallClock().addingTimeInterval(clock.baseDuration(fromModel: model).secondsValue)
    }

    /// Whether this instance may read the event feed `name` now: always when it shares its database with no other
    /// instance; otherwise only while it holds the feed's lease, which this takes or renews for `period` (at least a
    /// lease's length). A store that cannot be asked answers no.
    func holdsFeed(_ name: String, for period: Duration) async -> Bool {
        guard let sharing else { return true }
        do {
            return try await ledger.store.leaseResource(
                "feed:" + name,
                to: sharing.instance,
                until: wallTime(modelFromNow: max(period, sharing.lease)),
                now: wallClock()
            )
        } catch {
            logger.warning("the feed's lease could not be taken", metadata: ["feed": "\(name)", "error": "\(error)"])
            return false
        }
    }
}

/// Pauses every request of a strategy after the Help Desk asked for it with 429 or 503 and `Retry-After`.
final class RetryGate: Sendable {
    private let notBefore = Mutex<SimulationClock.Instant?>(nil)

    func pause(until instant: SimulationClock.Instant) {
        notBefore.withLock { $0 = max($0 ?? instant, instant) }
    }

    /// The instant to wait for, if requests are paused at `now`.
    func pausedUntil(now: SimulationClock.Instant) -> SimulationClock.Instant? {
        notBefore.withLock { $0.flatMap { $0 > now ? $0 : nil } }
    }
}
