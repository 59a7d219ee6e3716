import Foundation
import Testing

@testable import BenchKit
@testable import Flows
@testable import SimulationSupport

/// The plan's one-line answer, and its re-check against the runs of `--verify`.
@Suite(.timeLimit(.minutes(4)))
struct PlanRecommendationTests {
    private static let delay = DelayDistribution.uniform(.seconds(600) ... .seconds(7200))

    /// Without `--drop-rate` the loss is priced at 1 %: webhooks without reconciliation lose documents, so the
    /// cheapest strategy that loses none is recommended, and the cheaper webhook is named with why it was passed over.
    @Test func theRecommendationIsTheCheapestThatMeetsTheTargetAndLosesNothing() throws {
        var input = PlanInput(
            documentsPerDay: 5_000, reviewDelay: Self.delay,
            strategies: [.webhook, .hybrid(sweep: .seconds(60), staleAfter: .seconds(120)), .pollFixed(interval: .seconds(1)), .pollFixed(interval: .seconds(60))]
        )
        input.families = []
        input.targetP99 = .seconds(120)
        let recommendation = PlanRecommendation(Plan(input))
        #expect(recommendation.dropRate == 0.01)
        let webhook = try #require(recommendation.candidates.first { $0.strategy == .webhook })
        #expect(abs(webhook.lostPerDay - 50) < 1e-6, "1 % of 5,000 documents")
        #expect(webhook.failures == ["50 documents lost a day at 1 % dropped webhooks"])
        let chosen = try #require(recommendation.chosen)
        #expect(chosen.strategy == .hybrid(sweep: .seconds(60), staleAfter: .seconds(120)))
        #expect(recommendation.runnerUp?.strategy == .pollFixed(interval: .seconds(60)))
        #expect(recommendation.line.hasPrefix("Recommended: hybrid:60s,120s, 11,490 requests/day, p99 0 s: the cheapest that has p99 at most 120s and loses no document at 1 % dropped webhooks."))
        #expect(recommendation.line.contains("Cheaper, passed over: webhook (50 documents lost a day at 1 % dropped webhooks)"))

        // A budget of 100 documents a day lets the webhook through.
        input.lossBudget = 100
        #expect(PlanRecommendation(Plan(input)).chosen?.strategy == .webhook)
        // A target nothing meets: no recommendation, and why for the cheapest.
        input.targetP99 = .milliseconds(1)
        input.strategies = [.pollFixed(interval: .seconds(1))]
        let none = PlanRecommendation(Plan(input))
        #expect(none.chosen == nil)
        #expect(none.line.hasPrefix("Recommended: none; no strategy compared has p99 at most 1ms"))
    }

    /// Only what the vendor offers is a candidate, and a throttled poller is not one.
    @Test func aVendorsRecommendationIsWhatItOffersWithinItsLimit() throws {
        var input = PlanInput(
            documentsPerDay: 2_000, reviewDelay: Self.delay,
            strategies: [.webhook, .pollFixed(interval: .seconds(1)), .pollEvents(interval: .seconds(60)), .hybrid(sweep: .seconds(60), staleAfter: .seconds(120))]
        )
        input.families = []
        input.vendor = try VendorProfile.named("zendesk-growth")
        input.strategies = input.vendor!.split(input.strategies + [.sse, .longPoll(wait: .seconds(30))]).offered
        input.targetP99 = .seconds(60)
        let recommendation = PlanRecommendation(Plan(input))
        #expect(!recommendation.candidates.contains { $0.strategy == .sse || $0.strategy.description.hasPrefix("long-poll") }, "Zendesk offers neither")
        let throttled = try #require(recommendation.candidates.first { $0.strategy == .pollFixed(interval: .seconds(1)) })
        #expect(throttled.failures.contains { $0.hasPrefix("throttled:") })
        #expect(recommendation.chosen.map { input.vendor?.availability(of: $0.strategy) } == .offered)
        #expect(recommendation.line.contains("stays within the vendor's read limit"))
    }

    /// `--verify` re-checks the recommendation: a candidate whose run misses the target or disagrees with its model
    /// is passed over for the next.
    @Test func aRecommendationThatFailsItsRunGivesWayToTheNext() async throws {
        var input = PlanInput(
            documentsPerDay: 86_400, reviewDelay: .uniform(.seconds(20) ... .seconds(60)),
            strategies: [.hybrid(sweep: .seconds(10), staleAfter: .seconds(20)), .pollFixed(interval: .seconds(5))]
        )
        input.families = []
        input.targetP99 = .seconds(30)
        let plan = Plan(input)
        let recommendation = PlanRecommendation(plan)
        #expect(recommendation.chosen?.strategy == .hybrid(sweep: .seconds(10), staleAfter: .seconds(20)))
        var options = PlanVerification.Options()
        options.documents = 60
        var cells = try await PlanVerification(plan: plan, options: options).run(progress: ProgressLine(enabled: false), logger: .init(label: "test"))
        #expect(recommendation.recheck(cells).chosen?.strategy == recommendation.chosen?.strategy)
        #expect(recommendation.recheckLine(cells).hasPrefix("Verified: hybrid:10s,20s holds (measured p99"))
        cells[0].flags = ["requests/doc +9.0%"]
        let (next, passedOver) = recommendation.recheck(cells)
        #expect(next?.strategy == .pollFixed(interval: .seconds(5)))
        #expect(passedOver.map(\.0) == [.hybrid(sweep: .seconds(10), staleAfter: .seconds(20))])
        #expect(recommendation.recheckLine(cells).contains("Verified: poll-fixed:5s instead"))
        #expect(recommendation.recheckLine(cells).contains("hybrid:10s,20s: its run disagrees with its model (requests/doc +9.0%)"))
    }
}
