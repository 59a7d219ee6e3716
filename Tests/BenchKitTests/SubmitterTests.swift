import Foundation
import Hummingbird
import Logging
import ServerSupport
import Testing

@testable import BenchKit

struct SubmitterTests {
    @Test func aFailedSubmissionIsCountedAndTheRunGoesOn() async throws {
        // Our app stand-in answers 201 to even documents and 502 to odd ones.
        let router = Router()
        router.post("/reviews") { request, _ -> Response in
            let body = try await request.collectBody(limit: 4096)
            let text = String(decoding: body, as: UTF8.self)
            let index = text.split(separator: "/").last.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0
            return Response(status: index.isMultiple(of: 2) ? .created : .badGateway)
        }
        let schedule = ArrivalSchedule(documents: 40, ratePerSecond: 20_000, seed: 1)
        let report = try await withRunningApplication({ onRunning in
            Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), onServerRunning: { await onRunning($0.localAddress?.port ?? 0) })
        }) { port in
            try await OpenLoopSubmitter(schedule: schedule, baseURL: "http://127.0.0.1:\(port)").run { _ in }
        }
        #expect(report.submitted == 40, "every arrival was sent and answered")
        #expect(report.failed == 20)
        #expect(report.firstFailure?.contains("502") == true)
        #expect(report.latency.count == 40)
        #expect(report.peakBacklog >= 1)
    }

    @Test func onTheWallClockABacklogWaitsAsThePlanNotAsRequestsInFlight() async throws {
        let router = Router()
        router.post("/reviews") { _, _ in Response(status: .created) }
        // 60 arrivals within 3 ms, two connections: most of them arrive while two are in flight.
        let schedule = ArrivalSchedule(documents: 60, ratePerSecond: 20_000, seed: 2)
        let report = try await withRunningApplication({ onRunning in
            Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), onServerRunning: { await onRunning($0.localAddress?.port ?? 0) })
        }) { port in
            var submitter = OpenLoopSubmitter(schedule: schedule, baseURL: "http://127.0.0.1:\(port)")
            submitter.connections = 2
            return try await submitter.run { _ in }
        }
        #expect(report.submitted == 60 && report.failed == 0)
        #expect(report.peakInFlight <= 2, "\(report.peakInFlight) submissions in flight at once")
        #expect(report.peakBacklog > 2, "the backlog is still counted from the plan: \(report.peakBacklog)")
    }

    @Test func aBacklogStillDrainingLongAfterTheLastArrivalIsSaturation() {
        func report(drain: Duration, span: Duration) -> SubmissionReport {
            SubmissionReport(
                submitted: 10, failed: 0, firstFailure: nil, latency: LatencySummary([]), peakBacklog: 10,
                drainAfterLastArrival: drain, arrivalSpan: span
            )
        }
        #expect(!report(drain: .milliseconds(20), span: .seconds(50)).saturated, "answers keep up with arrivals")
        #expect(!report(drain: .seconds(4), span: .seconds(50)).saturated, "within 10 % of the span")
        #expect(report(drain: .seconds(6), span: .seconds(50)).saturated)
        #expect(!report(drain: .milliseconds(900), span: .seconds(2)).saturated, "within the 1 s floor of a short run")
        #expect(report(drain: .milliseconds(1100), span: .seconds(2)).saturated)
    }
}
