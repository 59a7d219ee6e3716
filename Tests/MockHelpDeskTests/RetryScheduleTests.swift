import Testing

@testable import MockHelpDesk

struct RetryScheduleTests {
    @Test func theStandardScheduleIsSvixs() {
        let schedule = RetrySchedule.standard
        let delays = (1...8).map { schedule.delay(beforeAttempt: $0, jitter: 0, unit: 0.3) }
        #expect(delays == [.zero, .seconds(5), .seconds(300), .seconds(1800), .seconds(7200), .seconds(18_000), .seconds(36_000), .seconds(36_000)])
        #expect(schedule.delay(beforeAttempt: 9, jitter: 0, unit: 0) == nil)
        #expect(schedule.delay(beforeAttempt: 0, jitter: 0, unit: 0) == nil)
        #expect(schedule.maxAttempts == 8)
        #expect(schedule.longestDelay == .seconds(36_000))
    }

    @Test func jitterMovesADelayWithinItsBound() {
        let schedule = RetrySchedule.standard
        #expect(schedule.delay(beforeAttempt: 3, jitter: 0.1, unit: 0) == .seconds(270))
        #expect(schedule.delay(beforeAttempt: 3, jitter: 0.1, unit: 0.5) == .seconds(300))
        #expect(schedule.delay(beforeAttempt: 3, jitter: 0.1, unit: 0.75) == .seconds(315))
        #expect(schedule.delay(beforeAttempt: 1, jitter: 0.1, unit: 0.9) == .zero)
    }

    @Test(arguments: [
        (AttemptResult.answered(status: 200, retryAfter: nil), AttemptVerdict.delivered),
        (.answered(status: 204, retryAfter: nil), .delivered),
        (.answered(status: 410, retryAfter: nil), .gone),
        (.answered(status: 429, retryAfter: "42"), .retry(notBefore: .seconds(42))),
        (.answered(status: 503, retryAfter: " 7 "), .retry(notBefore: .seconds(7))),
        (.answered(status: 503, retryAfter: "Wed, 21 Oct 2015 07:28:00 GMT"), .retry(notBefore: nil)),
        (.answered(status: 429, retryAfter: "-3"), .retry(notBefore: nil)),
        (.answered(status: 500, retryAfter: "42"), .retry(notBefore: nil)),
        (.answered(status: 301, retryAfter: nil), .retry(notBefore: nil)),
        (.answered(status: 404, retryAfter: nil), .retry(notBefore: nil)),
        (.timedOut, .retry(notBefore: nil)),
        (.transportFailed("connection refused"), .retry(notBefore: nil)),
    ])
    func attemptsAreReadAsTheScheduleExpects(result: AttemptResult, verdict: AttemptVerdict) {
        #expect(result.verdict == verdict)
    }
}
