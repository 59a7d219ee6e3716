import AsyncHTTPClient
import Foundation
import Histogram
import NIOCore
import ServerSupport
import SimulationSupport
import Synchronization

/// What the open-loop submitter saw: how long each submission took from its planned arrival, and how far behind the
/// system fell.
public struct SubmissionReport: Sendable, Hashable {
    public var submitted: Int
    /// Submissions that did not get 201 (an error answer, a transport failure): their documents have no row.
    public var failed: Int
    /// The first failure, to say what went wrong.
    public var firstFailure: String?
    /// From a document's planned arrival to our app's answer (wall time, or model time on a virtual clock): waiting
    /// for a connection is counted.
    public var latency: LatencySummary
    /// The most documents whose planned arrival had passed and whose submission was not answered yet, at any moment.
    public var peakBacklog: Int
    /// Time from the last planned arrival to the last answer (wall, or model on a virtual clock).
    public var drainAfterLastArrival: Duration
    /// Time from the first to the last planned arrival (wall, or model on a virtual clock).
    public var arrivalSpan: Duration
    /// The most submissions in flight at once: on the wall clock never more than the submitter's connections.
    public var peakInFlight = 0
    /// On a virtual clock, by document index, so that shards' submissions can be put back together
    /// (``ShardMerge``): when each submission was answered, model nanoseconds from the start (-1 for none), and its
    /// latency in microseconds as ``latency`` recorded it (-1 for none).
    public var answeredNanoseconds: [Int64] = []
    public var latencyMicroseconds: [Double] = []

    /// Whether arrivals outpaced the system: the last answer came more than `max(1 s, 10 % of the arrival span)`
    /// after the last arrival, so a backlog had built up that was still being worked off.
    public var saturated: Bool {
        drainAfterLastArrival > max(.seconds(1), arrivalSpan * 0.1)
    }
}

/// Submits a scenario's documents to our app's `POST /reviews` at their planned instants, whatever happened to the
/// earlier ones (open loop), and measures each submission from its planned arrival.
///
/// One loop walks the schedule and starts each submission at its instant as a child task that lives only while it
/// is in flight. The client's pool is sized explicitly; a submission that waits for a connection waits inside its
/// own measured latency, and a failure is counted, never fatal. With several app instances, `route` chooses the
/// instance of each submission when it is sent, as a load balancer does (round robin over the instances that are
/// up); a submission is never sent again elsewhere, since one that may have reached its instance must not be made
/// twice.
struct OpenLoopSubmitter: Sendable {
    let schedule: ArrivalSchedule
    /// The base URL to send document `index`'s submission to.
    let route: @Sendable (_ index: Int) -> String

    init(schedule: ArrivalSchedule, route: @escaping @Sendable (_ index: Int) -> String) {
        self.schedule = schedule
        self.route = route
    }

    init(schedule: ArrivalSchedule, baseURL: String) {
        self.init(schedule: schedule) { _ in baseURL }
    }

    /// Connections to our app.
    var connections = 256
    /// The longest a submission may take before it counts as failed, wall time (on the wall clock).
    var timeout: Duration = .seconds(120)
    /// On a virtual clock: the clock the schedule's offsets are model time of. Each submission is then a work unit
    /// of its own, and the submitter waits for the last ones parked.
    var clock: SimulationClock?
    /// Each document's number in its document URL, by index: a shard's documents keep their numbers in the whole run.
    var documentNumbers: [Int]?

    func run(progress: @escaping @Sendable (Int) -> Void) async throws -> SubmissionReport {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        configuration.httpVersion = .http1Only
        configuration.tracing.tracer = nil
        let client = HTTPClient(eventLoopGroup: SimulationThread.eventLoopGroup, configuration: configuration)
        let tally = SubmissionTally(recordsAnswers: clock != nil ? schedule.offsets.count : 0)
        let time = ArrivalTime(clock)
        let inFlight = InFlightSubmissions()
        let timeout = TimeAmount.nanoseconds((clock == nil ? self.timeout : .seconds(3600)).nanosecondsValue)
        await withDiscardingTaskGroup { group in
            for (index, offset) in schedule.offsets.enumerated() {
                // Cancelled (a stalled virtual run): submit nothing more.
                guard (try? await time.sleep(until: offset)) != nil else { break }
                // Every document whose planned instant has passed has arrived, even if this loop, starved of CPU,
                // has not started it yet: the backlog is counted from the plan, not from the loop.
                tally.arrived(count: max(index + 1, schedule.arrivals(by: time.elapsed())))
                // On the wall clock, no more submissions in flight than connections: the documents of a backlog wait
                // here as the plan's offsets, not as queued requests of the HTTP client (about a kilobyte each, so
                // a saturated million-document run held hundreds of megabytes of them). Each one's latency still
                // counts from its planned arrival. On a virtual clock every arrival starts at its instant, as before.
                if clock == nil { await inFlight.waitForRoom(below: connections) }
                let unit = clock?.activity.begin("the submission of document \(index)")
                inFlight.start()
                group.addTask {
                    await unit.run {
                        let failure = await submit(index, client: client, timeout: timeout)
                        let submitted = tally.answered(index, latency: time.elapsed() - offset, at: time.elapsed(), failure: failure)
                        progress(submitted)
                        inFlight.finish()
                    }
                }
            }
            await inFlight.waitUntilNone()
        }
        try await client.shutdown()
        let lastAnswer = tally.lastAnswer ?? schedule.span
        var report = tally.report(drain: max(.zero, lastAnswer - schedule.span), span: schedule.span)
        report.peakInFlight = inFlight.peak
        (report.answeredNanoseconds, report.latencyMicroseconds) = tally.answers
        return report
    }

    /// One `POST /reviews`, to the instance whose turn it is; `nil` when answered 201, else what went wrong.
    private func submit(_ index: Int, client: HTTPClient, timeout: TimeAmount) async -> String? {
        var request = HTTPClientRequest(url: route(index) + "/reviews")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        let number = documentNumbers?[index] ?? index
        request.body = .bytes(ByteBuffer(string: #"{"documentUrl": "https://example.com/documents/\#(number).pdf"}"#))
        do {
            let send = { @Sendable [request] (token: String?) async throws -> String? in
                var request = request
                if let token { request.headers.add(name: SimulationClock.workHeader, value: token) }
                let response = try await client.execute(request, timeout: timeout)
                _ = try await response.body.collect(upTo: 1 << 16)
                return response.status == .created ? nil : "POST /reviews answered \(response.status.code) for document \(index)"
            }
            guard let clock else { return try await send(nil) }
            return try await clock.exchange("POST /reviews of document \(index)", send)
        } catch {
            return "POST /reviews failed for document \(index): \(error)"
        }
    }
}

/// The clock arrivals are planned on: the wall clock, or a virtual clock's model time.
private struct ArrivalTime: Sendable {
    private let start: ContinuousClock.Instant
    private let clock: SimulationClock?
    private let modelStart: SimulationClock.Instant?

    init(_ clock: SimulationClock?) {
        self.start = .now
        self.clock = clock
        self.modelStart = clock?.now
    }

    /// Time since the start.
    func elapsed() -> Duration {
        guard let clock, let modelStart else { return start.duration(to: .now) }
        return modelStart.duration(to: clock.now)
    }

    func sleep(until offset: Duration) async throws {
        guard let clock, let modelStart else { return try await ContinuousClock().sleep(until: start.advanced(by: offset)) }
        try await clock.sleep(until: modelStart.advanced(by: offset))
    }
}

/// Submissions in flight, which the submitter waits for at the end: the last one to finish wakes it before it lets go.
private final class InFlightSubmissions: Sendable {
    private let count = Mutex(0)
    private let highest = Mutex(0)
    private let changes = ChangeWaiters<Int>()

    func start() {
        let now = count.withLock { count in
            count += 1
            return count
        }
        highest.withLock { $0 = max($0, now) }
    }

    /// The most submissions in flight at once so far.
    var peak: Int { highest.withLock { $0 } }

    func finish() {
        count.withLock { $0 -= 1 }
        changes.notify(0)
    }

    /// Returns once fewer than `limit` submissions are in flight.
    func waitForRoom(below limit: Int) async {
        await wait { $0 < limit }
    }

    func waitUntilNone() async {
        await wait { $0 == 0 }
    }

    private func wait(until holds: @escaping @Sendable (Int) -> Bool) async {
        while !holds(count.withLock({ $0 })), !Task.isCancelled {
            await changes.wait(for: 0) { holds(self.count.withLock { $0 }) }
        }
    }
}

/// The submitter's counters, shared by the submissions in flight.
private final class SubmissionTally: Sendable {
    private struct State {
        var arrived = 0
        var answered = 0
        var failed = 0
        var firstFailure: String?
        var peakBacklog = 0
        /// When the last answer came, since the start.
        var lastAnswer: Duration?
        var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        /// When each submission was answered, model nanoseconds, and its latency in microseconds, by index (-1 for
        /// none); empty when not recorded.
        var answers: [Int64]
        var latencies: [Double]
    }

    private let state: Mutex<State>

    /// - Parameter count: Submissions whose answer instants are recorded (0 for none).
    init(recordsAnswers count: Int) {
        state = Mutex(State(answers: Array(repeating: -1, count: count), latencies: Array(repeating: -1, count: count)))
    }

    var answers: (instants: [Int64], latencies: [Double]) { state.withLock { ($0.answers, $0.latencies) } }

    /// Records that `count` documents have arrived so far by the plan.
    func arrived(count: Int) {
        state.withLock { state in
            state.arrived = max(state.arrived, count)
            state.peakBacklog = max(state.peakBacklog, state.arrived - state.answered)
        }
    }

    /// - Returns: Submissions answered so far.
    func answered(_ index: Int, latency: Duration, at elapsed: Duration, failure: String?) -> Int {
        state.withLock { state in
            state.answered += 1
            let microseconds = max(0, latency.secondsValue * 1e6)
            if index < state.answers.count {
                state.answers[index] = elapsed.nanosecondsValue
                state.latencies[index] = microseconds
            }
            state.lastAnswer = max(state.lastAnswer ?? elapsed, elapsed)
            _ = state.histogram.record(UInt64(microseconds))
            if let failure {
                state.failed += 1
                state.firstFailure = state.firstFailure ?? failure
            }
            return state.answered
        }
    }

    var lastAnswer: Duration? { state.withLock { $0.lastAnswer } }

    func report(drain: Duration, span: Duration) -> SubmissionReport {
        state.withLock { state in
            SubmissionReport(
                submitted: state.answered,
                failed: state.failed,
                firstFailure: state.firstFailure,
                latency: LatencySummary(histogram: state.histogram),
                peakBacklog: state.peakBacklog,
                drainAfterLastArrival: drain,
                arrivalSpan: span
            )
        }
    }
}
