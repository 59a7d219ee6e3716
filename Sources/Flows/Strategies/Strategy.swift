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

/// A thread-safe ``StrategyCounts`` tally.
final class StrategyMeter: Sendable {
    private let counts = Mutex(StrategyCounts())

    func record(wasted: Bool) {
        counts.withLock { counts in
            counts.requests += 1
            if wasted { counts.wasted += 1 }
        }
    }

    var snapshot: StrategyCounts { counts.withLock { $0 } }
}

/// What every strategy works with.
struct StrategyContext: Sendable {
    let client: HelpDeskClient
    let ledger: VerdictLedger
    let clock: SimulationClock
    let meter: StrategyMeter
    let seed: UInt64
    let maxRequestsInFlight: Int
    let wallClock: @Sendable () -> Date
    let logger: Logger

    /// The wall-clock time `model` ago, for comparing model ages with stored timestamps.
    func wallTime(modelAgo model: Duration) -> Date {
        wallClock().addingTimeInterval(-clock.baseDuration(fromModel: model).secondsValue)
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

extension StrategySpec {
    /// Builds the strategy this spec names.
    func makeStrategy(context: StrategyContext) -> any Strategy {
        switch self {
        case .webhook: WebhookStrategy(spec: self, style: .full)
        case .webhookThin: WebhookStrategy(spec: self, style: .thin)
        case .pollFixed(let interval): DocumentPollingStrategy(spec: self, policy: .fixed(interval: interval), context: context)
        case .pollBackoff(let initial, let factor, let cap):
            DocumentPollingStrategy(spec: self, policy: .backoff(initial: initial, factor: factor, cap: cap, seed: context.seed), context: context)
        case .pollConditional(let interval): DocumentPollingStrategy(spec: self, policy: .conditional(interval: interval), context: context)
        case .longPoll(let wait): DocumentPollingStrategy(spec: self, policy: .longPoll(wait: wait), context: context)
        case .pollEvents(let interval): EventPollingStrategy(spec: self, interval: interval, context: context)
        case .hybrid(let sweep, let staleAfter): HybridStrategy(spec: self, sweep: sweep, staleAfter: staleAfter, context: context)
        }
    }
}
