import Foundation
import SimulationSupport
import Testing

@testable import Flows

/// The models of the fault scenarios against figures worked out another way: closed forms, and small cases computed
/// by hand, instant by instant.
struct FaultModelTests {
    /// `count` documents submitted `spacing` apart, every review exactly `review` long.
    private func workload(documents count: Int = 1000, spacing: Double = 1, review: Double = 3) -> ModelWorkload {
        var workload = ModelWorkload(reviewDelay: .seconds(review) ... .seconds(review), documents: count, window: .seconds(Double(count) * spacing), seed: 42)
        workload.arrivals = (0..<count).map { Double($0) * spacing }
        workload.deliveryFaults.jitter = 0
        return workload
    }

    @Test func duplicatesAndDelaysGiveTheFirstOfTwoUniformArrivals() {
        // The first send waits U₁ on [0, M]; with probability r a duplicate leaves after U₂: the verdict lands at
        // min(U₁, U₂), whose mean is M/3. Mean latency (1 − r)·M/2 + r·M/3; requests 2 + r.
        let (rate, most) = (0.3, 2.0)
        var faulty = workload(documents: 2000)
        faulty.deliveryFaults.duplicateRate = rate
        faulty.deliveryFaults.maxExtraDelay = .seconds(most)
        let webhook = StrategySpec.webhook.model(faulty)
        let mean = (1 - rate) * most / 2 + rate * most / 3
        #expect(abs(webhook.latency.mean / mean - 1) < 0.01, "\(webhook.latency.mean) s against \(mean) s")
        #expect(abs(webhook.requestsPerDocument - (2 + rate)) < 0.01)
        // F(x) = 1 − (1 − r)(1 − x/M) − r(1 − x/M)²
        for x in [0.5, 1.0, 1.5] {
            let cdf = 1 - (1 - rate) * (1 - x / most) - rate * (1 - x / most) * (1 - x / most)
            #expect(abs(webhook.latency.cdf(x) - cdf) < 0.01, "F(\(x))")
        }
        let thin = StrategySpec.webhookThin.model(faulty)
        #expect(abs(thin.requestsPerDocument - (3 + rate)) < 0.01, "a duplicate is deduplicated: no second fetch")
    }

    @Test func anOutageThatAnnouncesItsEndIsRetriedAtTheRoundedUpEnd() {
        // Receiver down from 100 s to 110 s, answering Retry-After: ⌈110 − t⌉. A decision at t in the window lands at
        // t + ⌈110 − t⌉; every other at once. Decisions at 3, 4, ..., 1002.
        var faulty = workload()
        faulty.retryDelays = [.zero, .seconds(5), .seconds(300)]
        faulty.deliveryFaults.receiverOutages = [ReceiverOutage(start: 100, end: 110, announcesEnd: true)]
        let model = StrategySpec.webhook.model(faulty)
        let waits = (0..<1000).map { index -> Double in
            let decided = Double(index) + 3
            return (100..<110).contains(decided) ? (110 - decided).rounded(.up) : 0
        }
        #expect(abs(model.latency.mean - waits.reduce(0, +) / 1000) < 1e-9)
        #expect(abs(model.requestsPerDocument - (2 + 10.0 / 1000)) < 1e-9, "one failed attempt for each of the 10 in the window")
        #expect(model.lostShare == 0)
    }

    @Test func anOutageWithoutRetryAfterFollowsTheSchedule() {
        // Schedule 0, 5 s, 5 min; receiver down from 0 to 200 s. A decision at t fails at t and t + 5; its third attempt,
        // at t + 305, lands. Decisions at 3 ... 1002: those before 195 need all three attempts, those in [195, 200)
        // land at t + 5, later ones at once.
        var faulty = workload()
        faulty.retryDelays = [.zero, .seconds(5), .seconds(300)]
        faulty.deliveryFaults.receiverOutages = [ReceiverOutage(start: 0, end: 200, announcesEnd: false)]
        let model = StrategySpec.webhook.model(faulty)
        let outcomes = (0..<1000).map { index -> (latency: Double, attempts: Int) in
            let decided = Double(index) + 3
            if decided + 5 < 200 { return (305, 3) }
            return decided < 200 ? (5, 2) : (0, 1)
        }
        #expect(abs(model.latency.mean - outcomes.map(\.latency).reduce(0, +) / 1000) < 1e-9)
        #expect(abs(model.requestsPerDocument - (1 + Double(outcomes.map(\.attempts).reduce(0, +)) / 1000)) < 1e-9)
    }

    @Test func deadLettersAreRecoveredByTheReplayAtTheOutagesEnd() {
        // Schedule 0, 5 s; receiver down from 0 to 500 s, the app replaying when it ends. A decision before 495 fails
        // twice, is dead-lettered, and lands at 500 by the replay; one in [495, 500) lands at t + 5.
        var faulty = workload()
        faulty.retryDelays = [.zero, .seconds(5)]
        faulty.deliveryFaults.receiverOutages = [ReceiverOutage(start: 0, end: 500, announcesEnd: false)]
        let lost = StrategySpec.webhook.model(faulty)
        #expect(abs(lost.lostShare - 492.0 / 1000) < 1e-9, "3 ... 494 are dead-lettered without a replay")
        faulty.deliveryFaults.replayAfterOutage = true
        let replayed = StrategySpec.webhook.model(faulty)
        #expect(replayed.lostShare == 0)
        let latencies = (0..<1000).map { index -> Double in
            let decided = Double(index) + 3
            if decided + 5 < 500 { return 500 - decided }
            return decided < 500 ? 5 : 0
        }
        #expect(abs(replayed.latency.mean - latencies.reduce(0, +) / 1000) < 1e-9)
        // Two attempts each before the replay, a third after it, and the recovery's two requests.
        #expect(abs(replayed.requestsPerDocument - (1 + (492 * 3 + 5 * 2 + 503 + 2) / 1000.0)) < 1e-9)
    }

    @Test func aSlowFirstAnswerPastTheTimeoutCostsOneRetryAndNoLatency() {
        var faulty = workload()
        faulty.retryDelays = [.zero, .seconds(5)]
        faulty.deliveryFaults.slowFirstAnswer = .seconds(40)
        let model = StrategySpec.webhook.model(faulty)
        #expect(model.latency.isImmediate, "applied before the answer was held")
        #expect(model.requestsPerDocument == 3)
        faulty.deliveryFaults.slowFirstAnswer = .seconds(10)
        #expect(StrategySpec.webhook.model(faulty).requestsPerDocument == 2, "within the 15 s timeout: answered in time")
    }

    @Test func aRateLimitOfOneASecondSpacesTwoPollers() {
        // Two documents submitted at 0, reviews of 2.5 s, polled every second; a bucket of 1 refilled at 1/s. At 1
        // document 0 is answered (pending) and 1 refused with Retry-After 1, which pauses every poll until 2; at 2
        // document 0 is answered and 1 refused again; at 3 document 0 learns its verdict (0.5 s late) and 1 is refused;
        // at 4 document 1 learns it (1.5 s late). Requests: 3 and 4 polls, plus two submissions.
        var two = workload(documents: 2, spacing: 0, review: 2.5)
        two.readFaults.rateLimit = .tokenBucket(perSecond: 1, burst: 1)
        let model = StrategySpec.pollFixed(interval: .seconds(1)).model(two)
        #expect(model.latency.points == [0.5, 1.5])
        #expect(model.requestsPerDocument == 1 + 7.0 / 2)
    }

    @Test func withNoFaultTheQueueModelIsTheClosedForm() {
        // The request-by-request model with a limit that never binds gives the closed form's I/2 and D/I + 1.
        var plain = workload(documents: 1000, spacing: 0.37, review: 3.2)
        let closed = StrategySpec.pollFixed(interval: .seconds(1)).model(plain)
        plain.readFaults.rateLimit = .fixedWindows(requests: 1_000_000, period: 1)
        let queued = StrategySpec.pollFixed(interval: .seconds(1)).model(plain)
        #expect(abs(queued.latency.mean - closed.latency.mean) < 1e-9)
        #expect(abs(queued.requestsPerDocument - closed.requestsPerDocument) < 1e-9)
    }

    @Test func failedStatusRequestsFollowTheRunsDraws() {
        // With the run's draws, the n-th admitted request fails exactly when the Help Desk's own draw says so: one
        // document, polled every 10 s (so no pause ever meets another poll), review of 95 s.
        var one = workload(documents: 1, spacing: 0, review: 95)
        one.readFaults.statusFailureRate = 0.5
        one.readFaults.drawnWithSeed = 7
        let failures = (0..<50).map { ordinal -> Bool in
            var random = SeededGenerator(seed: 7, stream: "status-fault", index: UInt64(ordinal))
            return random.nextUnit() < 0.5
        }
        // Polls at 10, 20, ... each due 10 s after the last, or 1 s after a 503's answer if later (never here): the
        // verdict comes with the first successful poll at or after 95 s.
        var instant = 0.0
        var requests = 0
        while true {
            instant += 10
            requests += 1
            if !failures[requests - 1], instant >= 95 { break }
        }
        let model = StrategySpec.pollFixed(interval: .seconds(10)).model(one)
        #expect(model.latency.points == [instant - 95])
        #expect(model.requestsPerDocument == Double(1 + requests))
    }

    @Test func thinFetchesRefusedByTheLimitWaitForTheirRetryAfter() {
        // Three notifications at once (reviews of 3 s, submitted together), a bucket of 1 refilled at 1/s: the first
        // fetch lands at 3, the others are refused with Retry-After 1; at 4 one lands and one is refused; at 5 the last.
        var three = workload(documents: 3, spacing: 0, review: 3)
        three.readFaults.rateLimit = .tokenBucket(perSecond: 1, burst: 1)
        let model = StrategySpec.webhookThin.model(three)
        #expect(model.latency.points == [0, 1, 2])
        #expect(model.requestsPerDocument == 1 + (3 + 3 + 3) / 3.0, "a delivery, a fetch and its retries")
    }
}
