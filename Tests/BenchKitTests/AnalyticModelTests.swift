import Foundation
import Testing

@testable import BenchKit
@testable import Flows

struct AnalyticModelTests {
    private let delay: ClosedRange<Duration> = .seconds(2) ... .seconds(5)

    private func expectation(_ strategy: StrategySpec, window: Duration = .seconds(1000)) -> ModelExpectation {
        AnalyticModel.expectation(for: strategy, reviewDelay: delay, documents: 1000, window: window, seed: 42)
    }

    @Test func fixedPollingAddsHalfAnIntervalAndCeilDOverIRequests() {
        // D uniform on [2, 5], I = 1: ⌈D⌉ is 3, 4 or 5 with equal chance, so 4 polls plus the submission.
        let oneSecond = expectation(.pollFixed(interval: .seconds(1)))
        #expect(abs(oneSecond.requestsPerDocument - 5) < 0.001)
        #expect(abs(oneSecond.latencyMeanMilliseconds - 500) < 1)
        let twoSeconds = expectation(.pollFixed(interval: .seconds(2)))
        // ⌈D/2⌉ is 1 for D = 2, 2 on (2, 4], 3 on (4, 5]: 2 × 2/3 + 3 × 1/3.
        #expect(abs(twoSeconds.requestsPerDocument - (1 + 2.0 * 2 / 3 + 3.0 / 3)) < 0.001)
        // Latency 4 − D on (2, 4] (mean 1 s) and 6 − D on (4, 5] (mean 1.5 s): not I/2 when D spans few intervals.
        #expect(abs(twoSeconds.latencyMeanMilliseconds - (2.0 * 1000 + 1500) / 3) < 1)
        #expect(expectation(.pollConditional(interval: .seconds(1))) == oneSecond)
    }

    @Test func webhooksCostOneDeliveryAndNoWait() {
        #expect(expectation(.webhook) == ModelExpectation(latencyMeanMilliseconds: 0, requestsPerDocument: 2))
        #expect(expectation(.webhookThin).requestsPerDocument == 3)
        #expect(expectation(.hybrid(sweep: .seconds(60), staleAfter: .seconds(120))).requestsPerDocument == 2)
    }

    @Test func longPollingAsksOnceWhenTheWaitCoversTheReview() {
        #expect(expectation(.longPoll(wait: .seconds(30))) == ModelExpectation(latencyMeanMilliseconds: 0, requestsPerDocument: 2))
        // W = 2 s: ⌈D/2⌉ as above.
        #expect(abs(expectation(.longPoll(wait: .seconds(2))).requestsPerDocument - (1 + 2.0 * 2 / 3 + 3.0 / 3)) < 0.001)
    }

    @Test func theEventFeedSharesItsReadsAmongAllDocuments() {
        let feed = expectation(.pollEvents(interval: .seconds(1)), window: .seconds(1010))
        #expect(abs(feed.requestsPerDocument - (1 + 1010.0 / 1000)) < 0.001)
        #expect(feed.latencyMeanMilliseconds == 500)
    }

    @Test func backoffMatchesItsOwnScheduleSimulatedDirectly() {
        let model = expectation(.pollBackoff(initial: .milliseconds(500), factor: 2, cap: .seconds(8)))
        // Full jitter halves each ceiling on average: 0.25, 0.5, 1, 2, 4, 4, ... s; reaching D of 2-5 s takes about 4-5 polls.
        #expect(model.requestsPerDocument > 4 && model.requestsPerDocument < 7, "\(model)")
        #expect(model.latencyMeanMilliseconds > 300 && model.latencyMeanMilliseconds < 3000, "\(model)")
    }
}
