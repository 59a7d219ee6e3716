import HelpDeskAPI
import SimulationSupport
import Testing

@testable import MockHelpDesk

struct SeededPlansTests {
    @Test func reviewPlansFollowTheSeedAndTheConfiguredDistribution() {
        let plans = (0..<10_000).map {
            ReviewPlan.draw(seed: 42, ordinal: UInt64($0), delay: .uniform(.seconds(2) ... .seconds(5)), acceptRatio: 0.7)
        }
        #expect(plans == (0..<10_000).map { ReviewPlan.draw(seed: 42, ordinal: UInt64($0), delay: .uniform(.seconds(2) ... .seconds(5)), acceptRatio: 0.7) })
        #expect(plans.allSatisfy { $0.delay >= .seconds(2) && $0.delay <= .seconds(5) })
        let meanDelay = plans.map(\.delay.secondsValue).reduce(0, +) / Double(plans.count)
        #expect(abs(meanDelay - 3.5) < 0.05)
        let accepted = plans.filter { $0.verdict == .accepted }.count
        #expect((6_800...7_200).contains(accepted))
        #expect(Set(plans.map(\.documentId)).count == plans.count)
        #expect(ReviewPlan.draw(seed: 43, ordinal: 0, delay: .uniform(.seconds(2) ... .seconds(5)), acceptRatio: 0.7) != plans[0])
    }

    @Test func reviewDelaysFollowAnyDistributionAndLeaveTheVerdictsAlone() throws {
        let exponential = try DelayDistribution(.exponential(mean: .seconds(600)), bounds: .seconds(60) ... .seconds(3600))
        let uniform = DelayDistribution.uniform(.seconds(2) ... .seconds(5))
        let plans = (0..<10_000).map { ReviewPlan.draw(seed: 42, ordinal: UInt64($0), delay: exponential, acceptRatio: 0.7) }
        #expect(plans.allSatisfy { $0.delay >= .seconds(60) && $0.delay <= .seconds(3600) })
        let delays = plans.map(\.delay.secondsValue).sorted()
        for p in [0.25, 0.5, 0.9] {
            let expected = exponential.quantile(p)
            #expect(abs(delays[Int(p * 10_000)] - expected) / expected < 0.05, "p\(p * 100)")
        }
        // The delay's shape changes only the delays: the same seed decides the same verdicts and documents.
        let reference = (0..<10_000).map { ReviewPlan.draw(seed: 42, ordinal: UInt64($0), delay: uniform, acceptRatio: 0.7) }
        #expect(plans.map(\.verdict) == reference.map(\.verdict))
        #expect(plans.map(\.documentId) == reference.map(\.documentId))
    }

    @Test func faultPlansFollowTheSeedAndRatios() {
        var configuration = FaultConfiguration()
        configuration.dropWebhookRatio = 0.1
        configuration.duplicateDeliveryRatio = 0.3
        configuration.maxExtraDeliveryDelay = .seconds(10)
        configuration.statusFailureRatio = 0.05
        let plan = FaultPlan(seed: 42, configuration: configuration)
        let faults = (0..<10_000).map { plan.deliveryFaults(forMessage: UInt64($0)) }
        #expect((900...1_100).contains(faults.filter(\.drop).count))
        #expect((2_800...3_200).contains(faults.filter(\.duplicate).count))
        #expect(faults.allSatisfy { $0.firstSendDelay <= .seconds(10) && $0.duplicateDelay <= .seconds(10) })
        #expect((400...600).contains((0..<10_000).filter { plan.failsStatusRequest(UInt64($0)) }.count))

        var dropsOnly = FaultConfiguration()
        dropsOnly.dropWebhookRatio = 0.1
        let dropsOnlyPlan = FaultPlan(seed: 42, configuration: dropsOnly)
        #expect((0..<1_000).allSatisfy { dropsOnlyPlan.deliveryFaults(forMessage: UInt64($0)).drop == faults[$0].drop })
    }

    @Test func theTokenBucketAllowsABurstThenRefillsAtTheRate() {
        var bucket = RateLimiter(limit: RateLimit(requestsPerSecond: 2, burst: 3), now: .start)
        #expect((0..<3).map { _ in bucket.take(at: .start).admitted } == [true, true, true])
        let refused = bucket.take(at: .start)
        #expect(!refused.admitted)
        #expect(refused.retryAfter == .milliseconds(500))
        #expect(refused.reset == .milliseconds(1500), "three tokens to refill")
        #expect(bucket.take(at: .init(offset: .milliseconds(500))).admitted)
        #expect(bucket.take(at: .init(offset: .milliseconds(600))).retryAfter == .milliseconds(400))
        let refilled = bucket.take(at: .init(offset: .seconds(60)))
        #expect(refilled.admitted)
        #expect(refilled.remaining == 2)
    }

    @Test func aFixedWindowAllowsItsCountThenWaitsForTheNextWindow() {
        var window = RateLimiter(limit: .window(2, per: .seconds(60)), now: .start)
        #expect(window.take(at: .init(offset: .seconds(10))).remaining == 1)
        #expect(window.take(at: .init(offset: .seconds(20))).remaining == 0)
        let refused = window.take(at: .init(offset: .seconds(45)))
        #expect(!refused.admitted)
        #expect(refused.retryAfter == .seconds(15), "until the window ends, not a minute from the refusal")
        let next = window.take(at: .init(offset: .seconds(60)))
        #expect(next.admitted)
        #expect(next.remaining == 1)
        #expect(next.reset == .seconds(60))
    }

    @Test func theIdempotencyTableReplaysRefusesAndForgets() {
        var table = IdempotencyTable<SubmitDocumentResponse>(ttl: .seconds(100))
        let fingerprint = IdempotencyTable<SubmitDocumentResponse>.Fingerprint(request: .init(documentUrl: "https://x.test/a"), callbackURL: nil, callbackStyle: .full)
        var other = fingerprint
        other.request.documentUrl = "https://x.test/b"
        let response = SubmitDocumentResponse(agentId: "agent_1", documentId: "doc_1", documentStatus: .pendingReview)

        #expect(table.reserve("k", for: fingerprint, at: .start) == .proceed)
        #expect(table.reserve("k", for: fingerprint, at: .start) == .inFlight)
        #expect(table.reserve("k", for: other, at: .start) == .mismatch)
        table.complete("k", with: response)
        #expect(table.reserve("k", for: fingerprint, at: .init(offset: .seconds(99))) == .replay(response))
        #expect(table.reserve("k", for: other, at: .init(offset: .seconds(99))) == .mismatch)
        #expect(table.reserve("k", for: other, at: .init(offset: .seconds(100))) == .proceed, "expired keys are forgotten")

        table.release("k")
        #expect(table.count == 0)
        #expect(table.reserve("k", for: fingerprint, at: .init(offset: .seconds(101))) == .proceed)

        // A key released and reserved again is kept for the TTL of its second reservation, not its first.
        #expect(table.reserve("j", for: fingerprint, at: .init(offset: .seconds(150))) == .proceed)
        table.release("j")
        #expect(table.reserve("j", for: fingerprint, at: .init(offset: .seconds(160))) == .proceed)
        table.complete("j", with: response)
        #expect(table.reserve("j", for: fingerprint, at: .init(offset: .seconds(255))) == .replay(response))
        #expect(table.count == 1, "k expired at 201")
        #expect(table.reserve("j", for: other, at: .init(offset: .seconds(260))) == .proceed)
    }
}
