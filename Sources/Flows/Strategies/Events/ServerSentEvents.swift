import Foundation
import HelpDeskAPI
import ServiceLifecycle
import SimulationSupport
import Synchronization

/// `sse`: keep one `GET /events/stream` open and apply each decision the Help Desk pushes into it, the way to be
/// told at once without a public endpoint (the app opens the connection; nothing has to reach it).
///
/// Every event carries the event feed's cursor as its `id:`. Each piece of the stream is applied with the cursor it
/// ends on, in one transaction, so the stored cursor never runs ahead of the rows; after a drop the stream is opened
/// again with that cursor as `Last-Event-ID` (after the server's `retry:` hint, backing off while attempts fail), and
/// a restart of the app resumes from it too.
///
/// Model: an event is applied as soon as it is sent, n after its decision over a network of one-way delay n; one
/// stream serves the whole run. When the Help Desk ends every stream after k events, or restarts, the stream is
/// followed event by event (``StreamTimeline``): documents decided while it is down wait for the next stream's
/// replay. Requests per document: the submission, plus every stream opened, shared by all documents.
public struct ServerSentEvents: ParameterlessStrategyDefinition {
    public static let name = "sse"
    public static let mechanisms: [VendorMechanism] = [.stream]
    public static let summary = "GET /events/stream held open; the Help Desk pushes each decision into it, resumed with Last-Event-ID"

    public init() {}

    public var callbackStyle: CallbackPayloadStyle? { nil }

    public func makeStrategy(context: StrategyContext) -> any Strategy {
        EventStreamStrategy(spec: StrategySpec(self), context: context)
    }

    public func model(_ workload: ModelWorkload) -> StrategyModel {
        let stream = workload.stream
        let documents = Double(max(workload.documents, 1))
        let heartbeats = stream.heartbeat > .zero ? max(workload.window.secondsValue, 0) / stream.heartbeat.secondsValue : 0
        let bytes = { (connections: Double) in
            stream.eventBytes.map { event in Double(event) + (heartbeats * Double(stream.heartbeatBytes) + connections * Double(stream.openingBytes)) / documents }
        }
        if stream.closesAfterEvents != nil || !stream.outages.isEmpty { return StreamTimeline.model(workload, bytes: bytes) }
        return StrategyModel(
            latency: LatencyModel.immediate.shifted(by: workload.networkDelay),
            requestsPerDocument: 1 + 1 / documents,
            // Every stream opened carries decisions; each event is applied in a write step of its own at most (events
            // that arrive together share one).
            wastedRequestsPerDocument: 0,
            streamBytesPerDocument: bytes(1)
        )
    }
}

extension StrategySpec {
    public static let sse = StrategySpec(ServerSentEvents())
}

/// The running side of `sse`: one stream at a time, opened again after every end or failure until shutdown.
struct EventStreamStrategy: Strategy {
    static let cursorName = "sse"

    let spec: StrategySpec
    let context: StrategyContext
    /// No byte for this long (model time) means the stream is dead, even if its connection looks open: three of the
    /// Help Desk's default heartbeat intervals.
    var idleTimeout: Duration = .seconds(45)
    var reconnect = ReconnectPolicy()

    var callbackStyle: CallbackPayloadStyle? { nil }

    func watch(_ review: Review) {}

    func run() async throws {
        let store = context.ledger.store
        let stored = try await store.eventCursor(named: Self.cursorName)
        context.logger.info("opening the event stream", metadata: ["after": "\(stored ?? "the start")"])
        var failures = 0
        var hint = reconnect.defaultHint
        var fromTheBeginning = false
        var random = SeededGenerator(seed: context.seed, stream: "sse-reconnect", index: 0)
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            // The stored cursor is where the rows stand: every piece of a stream lands with the cursor it ends on.
            let cursor = fromTheBeginning ? nil : try await store.eventCursor(named: Self.cursorName)
            let session = await cancelWhenGracefulShutdown { [context, idleTimeout] in
                await StreamSession(context: context, idleTimeout: idleTimeout).run(after: cursor)
            }
            if Task.isShuttingDownGracefully { return }
            // The Help Desk answered, but does not know the cursor: ask again at once, from the first decision.
            fromTheBeginning = session.unknownCursor
            if session.unknownCursor { continue }
            hint = session.retryHint ?? hint
            failures = session.delivered ? 0 : failures + 1
            let wait = session.retryAfter ?? reconnect.delay(afterFailures: failures, hint: hint, random: &random)
            if let failure = session.failure {
                context.logger.notice("event stream ended", metadata: ["error": "\(failure)", "reconnect.in": "\(wait)"])
            }
            try? await cancelWhenGracefulShutdown { [clock = context.clock] in try await clock.sleep(for: wait) }
        }
    }
}

/// When to open the event stream again, the pure part of ``EventStreamStrategy``.
///
/// After a stream that delivered something, the server's `retry:` hint (1 s when it gave none); after n attempts in
/// a row that delivered nothing, a seeded draw in [½, 1] of `min(cap, hint × 2ⁿ)`, so many clients cut off together do
/// not come back together.
struct ReconnectPolicy: Sendable {
    var defaultHint: Duration = .seconds(1)
    var cap: Duration = .seconds(30)

    func delay(afterFailures failures: Int, hint: Duration, random: inout SeededGenerator) -> Duration {
        guard failures > 0 else { return hint }
        let base = min(cap.secondsValue, max(hint.secondsValue, 0.001) * Double(1 << min(failures, 20)))
        return .seconds(base * (0.5 + 0.5 * random.nextUnit()))
    }
}

/// One stream opened, read until it ends, and what came of it.
private struct StreamSession: Sendable {
    let context: StrategyContext
    let idleTimeout: Duration

    struct Outcome: Sendable {
        /// Whether anything (an event, a heartbeat) arrived.
        var delivered = false
        /// The last `retry:` hint the stream gave.
        var retryHint: Duration?
        /// The Help Desk asked us to wait (429 or 503).
        var retryAfter: Duration?
        /// The Help Desk does not know the cursor we sent (it was reset): read from the first decision instead.
        var unknownCursor = false
        /// Why the stream ended, when it did not end cleanly.
        var failure: String?
    }

    func run(after cursor: String?) async -> Outcome {
        let activity = StreamActivity(clock: context.clock)
        var outcome = Outcome()
        do {
            // One stream is one learning request: it learned something if any verdict it brought changed a row.
            try await context.meter.measure {
                switch try await context.client.openEventStream(lastEventId: cursor) {
                case .retryLater(let retryAfter):
                    outcome.retryAfter = retryAfter ?? .seconds(1)
                case .stream(let body):
                    try await read(body, activity: activity)
                }
            }
        } catch let error as HelpDeskClientError where error.statusCode == 400 && cursor != nil {
            context.logger.warning("the Help Desk does not know the stored cursor; reading from the first decision", metadata: ["after": "\(cursor ?? "")"])
            outcome.unknownCursor = true
            outcome.failure = error.description
        } catch is CancellationError {
        } catch {
            outcome.failure = "\(error)"
        }
        outcome.delivered = activity.delivered
        outcome.retryHint = activity.retryHint
        return outcome
    }

    /// Reads the body until it ends, applying each piece's decisions with the cursor the piece ends on; gives up
    /// when nothing arrives for ``idleTimeout``.
    ///
    /// The reader runs as a task (and work unit) of its own while this one keeps the idle deadline: it sleeps until
    /// the deadline the last byte set, and gives up when it finds no byte came since. The reader wakes it when the
    /// stream ends, before the reader lets go.
    private func read(_ body: EventStreamBody, activity: StreamActivity) async throws {
        let clock = context.clock
        let finished = WakeSignal()
        let reader = clock.activity.begin("the event stream's reader")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [context] in
                defer {
                    finished.signal()
                    reader?.end()
                }
                try await WorkUnit.$current.withValue(reader) {
                    var parser = EventStreamParser()
                    for try await buffer in body {
                        let events = try parser.feed(buffer.readableBytesView)
                        activity.touch(retryHint: parser.retryMilliseconds.map { .milliseconds($0) })
                        // One transaction per decision, its cursor its own id: how TCP cut the bytes into pieces
                        // (one event a piece, or a replay's many) changes nothing in the database.
                        for event in events where event.type == ServerSentEvent.decisionType {
                            guard let cursor = event.lastEventId else { continue }
                            let decision = try HelpDeskJSON.decode(DocumentEvent.self, from: Data(event.data.utf8))
                            _ = try await context.ledger.apply(
                                events: [decision],
                                advancingCursor: EventStreamStrategy.cursorName,
                                to: cursor,
                                source: .stream
                            )
                        }
                    }
                }
            }
            while true {
                let deadline = activity.last.advanced(by: idleTimeout)
                guard clock.now < deadline else {
                    group.cancelAll()
                    throw StreamError("no byte for \(idleTimeout) of model time")
                }
                // False: the reader finished (the stream ended, or failed) before the deadline.
                if !(await clock.sleep(until: deadline, orUntil: finished)) { break }
            }
            try await group.next()
        }
    }
}

/// What the stream being read has shown so far: when it last sent something, whether it sent anything, its hint.
private final class StreamActivity: Sendable {
    private struct State {
        var last: SimulationClock.Instant
        var delivered = false
        var retryHint: Duration?
    }

    private let state: Mutex<State>
    private let clock: SimulationClock

    init(clock: SimulationClock) {
        self.clock = clock
        self.state = Mutex(State(last: clock.now))
    }

    func touch(retryHint: Duration?) {
        let now = clock.now
        state.withLock { state in
            state.last = now
            state.delivered = true
            state.retryHint = retryHint ?? state.retryHint
        }
    }

    var last: SimulationClock.Instant { state.withLock { $0.last } }
    var delivered: Bool { state.withLock { $0.delivered } }
    var retryHint: Duration? { state.withLock { $0.retryHint } }
}

/// A stream that had to be given up.
struct StreamError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
