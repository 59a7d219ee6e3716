import HelpDeskAPI
import Testing

@testable import MockHelpDesk

@Suite(.timeLimit(.minutes(1)))
struct PollingFaultTests {
    @Test func theRateLimitAnswers429WithRetryAfterUntilTokensRefill() async throws {
        try await HelpDeskHarness.run({ $0.faults.rateLimit = RateLimit(requestsPerSecond: 0.5, burst: 2) }) { harness in
            let document = try await harness.submit()
            #expect(try await harness.send(.GET, "/document/\(document.documentId)").status == 200)
            #expect(try await harness.send(.GET, "/events").status == 200)
            let limited = try await harness.send(.GET, "/document/\(document.documentId)")
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") == "2")
            #expect(try !limited.error.error.isEmpty)
            #expect(try await harness.send(.GET, "/events").status == 429)

            harness.clock.advance(to: HelpDeskHarness.at(2))
            #expect(try await harness.send(.GET, "/document/\(document.documentId)").status == 200)
            #expect(harness.desk.stats().faults.rateLimited == 2)
            #expect(try await harness.send(.POST, "/document", body: nil).status == 415, "submissions are not rate limited")
        }
    }

    @Test func statusFailuresFollowTheSeededPlan() async throws {
        let requests = 60
        try await HelpDeskHarness.run({ $0.faults.statusFailureRatio = 0.3 }) { harness in
            let document = try await harness.submit()
            var failed = 0
            for _ in 0..<requests {
                let response = try await harness.send(.GET, "/document/\(document.documentId)")
                if response.status == 503 {
                    failed += 1
                    #expect(response.header("Retry-After") == "1")
                    #expect(try !response.error.error.isEmpty)
                } else {
                    #expect(response.status == 200)
                }
            }
            let planned = (0..<requests).filter { harness.desk.faults.failsStatusRequest(UInt64($0)) }.count
            #expect(failed == planned)
            #expect((8...30).contains(failed), "about 30%")
            #expect(harness.desk.stats().faults.statusFailures == planned)
        }
    }
}
