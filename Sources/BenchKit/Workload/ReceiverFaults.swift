import Flows
import Foundation
import HelpDeskAPI
import Hummingbird
import ServiceLifecycle
import ServerSupport
import SimulationSupport
import Synchronization

/// A window in which our receiver answers every webhook 503, model time from the start of the submissions.
public struct ReceiverOutageWindow: Sendable, Hashable {
    public var start: Duration
    public var length: Duration
    /// Whether its answers carry `Retry-After` until the end (a planned maintenance), or nothing (an endpoint that is
    /// simply down, left to the vendor's retry schedule).
    public var announcesEnd: Bool
    /// Whether our app, once the outage is over, asks the Help Desk to enable its endpoint again and replay what
    /// failed since the outage began (``ReviewApp/recoverWebhooks(since:)``).
    public var recoverAfter: Bool

    public init(start: Duration, length: Duration, announcesEnd: Bool = true, recoverAfter: Bool = false) {
        self.start = start
        self.length = length
        self.announcesEnd = announcesEnd
        self.recoverAfter = recoverAfter
    }

    public var end: Duration { start + length }
}

/// Faults our own receiver suffers in a fault scenario.
public struct ReceiverFaults: Sendable, Hashable {
    /// The receiver answers 503 in this window.
    public var outage: ReceiverOutageWindow?
    /// The first delivery of each message is applied, then answered only after this long (model time), past the
    /// Help Desk's delivery timeout, so the message is sent again.
    public var slowFirstAnswer: Duration?
    /// The receiver never answers: it waits outside the simulation, as a process that hung would (no fault scenario
    /// uses it; a test does, to see a virtual run stall and say so).
    var hangs = false

    public init(outage: ReceiverOutageWindow? = nil, slowFirstAnswer: Duration? = nil) {
        self.outage = outage
        self.slowFirstAnswer = slowFirstAnswer
    }

    var isNone: Bool { outage == nil && slowFirstAnswer == nil && !hangs }
}

/// Injects ``ReceiverFaults`` in front of our receiver.
final class ReceiverFaultMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    let faults: ReceiverFaults
    let clock: SimulationClock
    private let start = Mutex<SimulationClock.Instant?>(nil)
    private let answered = Mutex<Set<String>>([])

    init(faults: ReceiverFaults, clock: SimulationClock) {
        self.faults = faults
        self.clock = clock
    }

    /// Marks the start of the run, which the outage window is measured from.
    func begin() {
        let now = clock.now
        start.withLock { $0 = $0 ?? now }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, request.uri.path == Flows.receiverPath else { return try await next(request, context) }
        if faults.hangs {
            // Neither a wait on the model nor an answer: the run sees work in hand that never ends (until shutdown).
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
        }
        if let outage = faults.outage, let start = start.withLock({ $0 }) {
            let elapsed = start.duration(to: clock.now)
            if elapsed >= outage.start, elapsed < outage.end {
                guard outage.announcesEnd else { throw APIError(.serviceUnavailable, "the receiver is down") }
                let remaining = (outage.end - elapsed).secondsValue
                throw APIError.retryLater(.serviceUnavailable, "the receiver is down for maintenance", afterSeconds: Int(remaining.rounded(.up)))
            }
        }
        let response = try await next(request, context)
        if let hold = faults.slowFirstAnswer, let id = request.headers[.webhookID], answered.withLock({ $0.insert(id).inserted }) {
            // A shutdown answers at once: on a virtual clock, time no longer moves while the run stops.
            try? await cancelWhenGracefulShutdown { [clock] in try await clock.sleep(for: hold) }
        }
        return response
    }
}
