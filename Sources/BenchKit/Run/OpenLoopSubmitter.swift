import AsyncHTTPClient
import Foundation
import Histogram
import NIOCore
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
    /// From a document's planned arrival to our app's answer, wall time: waiting for a connection is counted.
    public var latency: LatencySummary
    /// The most documents whose planned arrival had passed and whose submission was not answered yet, at any moment.
    public var peakBacklog: Int
    /// Wall time from the last planned arrival to the last answer.
    public var drainAfterLastArrival: Duration
    /// Wall time from the first to the last planned arrival.
    public var arrivalSpan: Duration

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
    /// The longest a submission may take before it counts as failed, wall time.
    var timeout: Duration = .seconds(120)

    func run(progress: @escaping @Sendable (Int) -> Void) async throws -> SubmissionReport {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        configuration.httpVersion = .http1Only
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let tally = SubmissionTally()
        let clock = ContinuousClock()
        let start = clock.now
        let timeout = TimeAmount.nanoseconds(self.timeout.nanosecondsValue)
        await withDiscardingTaskGroup { group in
            for (index, offset) in schedule.offsets.enumerated() {
                let planned = start.advanced(by: offset)
                try? await clock.sleep(until: planned)
                // Every document whose planned instant has passed has arrived, even if this loop, starved of CPU,
                // has not started it yet: the backlog is counted from the plan, not from the loop.
                tally.arrived(count: max(index + 1, schedule.arrivals(by: start.duration(to: clock.now))))
                group.addTask {
                    let failure = await submit(index, client: client, timeout: timeout)
                    let submitted = tally.answered(latency: planned.duration(to: clock.now), failure: failure)
                    progress(submitted)
                }
            }
        }
        try await client.shutdown()
        let lastArrival = start.advanced(by: schedule.span)
        return tally.report(drain: max(.zero, lastArrival.duration(to: tally.lastAnswer ?? lastArrival)), span: schedule.span)
    }

    /// One `POST /reviews`, to the instance whose turn it is; `nil` when answered 201, else what went wrong.
    private func submit(_ index: Int, client: HTTPClient, timeout: TimeAmount) async -> String? {
        var request = HTTPClientRequest(url: route(index) + "/reviews")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"documentUrl": "https://example.com/documents/\#(index).pdf"}"#))
        do {
            let response = try await client.execute(request, timeout: timeout)
            _ = try await response.body.collect(upTo: 1 << 16)
            return response.status == .created ? nil : "POST /reviews answered \(response.status.code) for document \(index)"
        } catch {
            return "POST /reviews failed for document \(index): \(error)"
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
        var lastAnswer: ContinuousClock.Instant?
        var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
    }

    private let state = Mutex(State())

    /// Records that `count` documents have arrived so far by the plan.
    func arrived(count: Int) {
        state.withLock { state in
            state.arrived = max(state.arrived, count)
            state.peakBacklog = max(state.peakBacklog, state.arrived - state.answered)
        }
    }

    /// - Returns: Submissions answered so far.
    func answered(latency: Duration, failure: String?) -> Int {
        state.withLock { state in
            state.answered += 1
            state.lastAnswer = .now
            _ = state.histogram.record(UInt64(max(0, latency.secondsValue * 1e6)))
            if let failure {
                state.failed += 1
                state.firstFailure = state.firstFailure ?? failure
            }
            return state.answered
        }
    }

    var lastAnswer: ContinuousClock.Instant? { state.withLock { $0.lastAnswer } }

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
