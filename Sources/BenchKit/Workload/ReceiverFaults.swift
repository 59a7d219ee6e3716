import Flows
import Foundation
import HelpDeskAPI
import Hummingbird
import ServiceLifecycle
import ServerSupport
import SimulationSupport
import Synchronization

/// Faults our own receiver suffers in a fault scenario.
public struct ReceiverFaults: Sendable, Hashable {
    /// The receiver answers 503 (with `Retry-After` until the end) from `start` for `length`, model time after the first
    /// document was submitted.
    public var outage: (start: Duration, length: Duration)?
    /// The first delivery of each message is applied, then answered only after this long (model time), past the
    /// Help Desk's delivery timeout, so the message is sent again.
    public var slowFirstAnswer: Duration?
    /// The receiver never answers: it waits outside the simulation, as a process that hung would (no fault scenario
    /// uses it; a test does, to see a virtual run stall and say so).
    var hangs = false

    public init(outage: (start: Duration, length: Duration)? = nil, slowFirstAnswer: Duration? = nil) {
        self.outage = outage
        self.slowFirstAnswer = slowFirstAnswer
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.outage?.start == rhs.outage?.start && lhs.outage?.length == rhs.outage?.length && lhs.slowFirstAnswer == rhs.slowFirstAnswer && lhs.hangs == rhs.hangs
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(outage?.start)
        hasher.combine(outage?.length)
        hasher.combine(slowFirstAnswer)
        hasher.combine(hangs)
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
            if elapsed >= outage.start, elapsed < outage.start + outage.length {
                let remaining = (outage.start + outage.length - elapsed).secondsValue
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
