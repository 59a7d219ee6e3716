import Foundation
import HelpDeskAPI
import SimulationSupport

/// What the Help Desk knows of one callback URL: its status, its run of failures, and the outcomes the circuit
/// breaker weighs. A state machine with no I/O; ``EndpointPolicy`` holds the rules.
struct EndpointState: Sendable {
    private(set) var status: EndpointStatus = .enabled
    private(set) var consecutiveFailures = 0
    private(set) var failingSince: SimulationClock.Instant?
    private(set) var pausedUntil: SimulationClock.Instant?
    /// Each attempt within the breaker's window: when it ended and whether it failed, oldest first.
    private var recent: [(at: SimulationClock.Instant, failed: Bool)] = []
    private var recentStart = 0
    private(set) var events: [(at: SimulationClock.Instant, status: EndpointStatus, reason: String)] = []

    /// While paused, when attempts may resume; `nil` when they may go now (a pause that has run out ends here).
    mutating func resumeTime(at now: SimulationClock.Instant) -> SimulationClock.Instant? {
        guard status == .paused, let until = pausedUntil else { return nil }
        guard now < until else {
            change(to: .enabled, at: until, reason: "pause-ended")
            pausedUntil = nil
            return nil
        }
        return until
    }

    /// Records an attempt's outcome and applies the rules.
    /// - Returns: Whether this outcome disabled the endpoint.
    mutating func record(failed: Bool, at now: SimulationClock.Instant, policy: EndpointPolicy) -> Bool {
        guard failed else {
            consecutiveFailures = 0
            failingSince = nil
            remember(failed: false, at: now, policy: policy)
            return false
        }
        consecutiveFailures += 1
        failingSince = failingSince ?? now
        if let count = policy.disableAfterConsecutiveFailures, consecutiveFailures >= count {
            disable(at: now, reason: "consecutive-failures")
            return true
        }
        if let span = policy.disableAfterFailingFor, let since = failingSince, since.duration(to: now) >= span {
            disable(at: now, reason: "failing-for")
            return true
        }
        remember(failed: true, at: now, policy: policy)
        return false
    }

    /// The URL answered 410 Gone.
    mutating func gone(at now: SimulationClock.Instant) {
        disable(at: now, reason: "gone")
    }

    /// Enabled again on request, its failures forgotten.
    mutating func enable(at now: SimulationClock.Instant) {
        consecutiveFailures = 0
        failingSince = nil
        pausedUntil = nil
        recent = []
        recentStart = 0
        change(to: .enabled, at: now, reason: "enabled-on-request")
    }

    private mutating func disable(at now: SimulationClock.Instant, reason: String) {
        pausedUntil = nil
        change(to: .disabled, at: now, reason: reason)
    }

    /// Keeps the outcome for the breaker and trips it when the window's failures reach its share.
    private mutating func remember(failed: Bool, at now: SimulationClock.Instant, policy: EndpointPolicy) {
        guard let breaker = policy.circuitBreaker, status == .enabled else { return }
        recent.append((now, failed))
        while recentStart < recent.count, recent[recentStart].at.duration(to: now) > breaker.window { recentStart += 1 }
        if recentStart > 1024, recentStart * 2 > recent.count {
            recent.removeFirst(recentStart)
            recentStart = 0
        }
        let window = recent[recentStart...]
        let failures = window.reduce(0) { $0 + ($1.failed ? 1 : 0) }
        guard window.count >= breaker.minimumAttempts, Double(failures) >= breaker.errorShare * Double(window.count) else { return }
        pausedUntil = now.advanced(by: breaker.pause)
        recent = []
        recentStart = 0
        change(to: .paused, at: now, reason: "circuit-breaker")
    }

    private mutating func change(to status: EndpointStatus, at now: SimulationClock.Instant, reason: String) {
        self.status = status
        events.append((now, status, reason))
    }

    func endpoint(url: String, date: (SimulationClock.Instant) -> Date) -> Endpoint {
        Endpoint(
            url: url,
            status: status,
            consecutiveFailures: consecutiveFailures,
            failingSince: failingSince.map(date),
            pausedUntil: pausedUntil.map(date),
            events: events.map { EndpointEvent(at: date($0.at), status: $0.status, reason: $0.reason) }
        )
    }
}
