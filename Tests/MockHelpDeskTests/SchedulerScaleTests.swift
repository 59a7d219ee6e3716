import HelpDeskAPI
import ServerSupport
import SimulationSupport
import Testing

@testable import MockHelpDesk

@Suite(.timeLimit(.minutes(2)))
struct SchedulerScaleTests {
    @Test func aHundredThousandPendingReviewsShareOneSleeperAndAllDecideOnTime() async throws {
        let count = 100_000
        var configuration = HelpDeskConfiguration()
        configuration.seed = 7
        let clock = ManualClock()
        let desk = try MockHelpDesk(configuration: configuration, secret: .generate(), clock: SimulationClock(base: clock), logger: HelpDeskHarness.quietLogger())
        let scheduler = Task { try await desk.scheduler.run() }
        defer { scheduler.cancel() }

        for index in 0..<count {
            _ = try await desk.submit(Submission(request: .init(documentUrl: "https://example.com/\(index).pdf"), callback: nil, idempotencyKey: nil))
        }
        #expect(desk.pendingReviews == count)
        let plans = (0..<count).map {
            ReviewPlan.draw(seed: 7, ordinal: UInt64($0), delay: configuration.reviewDelay, acceptRatio: configuration.acceptRatio)
        }
        // The scheduler re-arms as submissions arrive: wait for it to settle on the earliest deadline, then check that
        // it is alone there.
        let earliest = ManualClock.Instant(offset: try #require(plans.map(\.delay).min()))
        await clock.waitForSleepers { $0.contains(earliest) }
        #expect(clock.pendingDeadlines == [earliest], "one sleeper, at the earliest deadline")
        let dueByHalfTime = plans.filter { $0.delay <= .milliseconds(3500) }.count
        clock.advance(to: .init(offset: .milliseconds(3500)))
        await desk.waitForDecisions(count: dueByHalfTime)
        await clock.waitForSleepers { $0.count == 1 }
        #expect(desk.decisions.count == dueByHalfTime, "nothing decided before its deadline")
        #expect(desk.pendingReviews == count - dueByHalfTime)

        clock.advance(to: .init(offset: .seconds(5)))
        await desk.waitForDecisions(count: count)
        let decisions = desk.decisions
        #expect(decisions.count == count)
        #expect(desk.pendingReviews == 0)
        let verdicts = Dictionary(uniqueKeysWithValues: plans.map { ($0.documentId, $0.verdict) })
        #expect(decisions.allSatisfy { verdicts[$0.documentId] == $0.verdict })
        let stats = desk.stats().documents
        #expect(stats.accepted == plans.filter { $0.verdict == .accepted }.count)
        #expect(stats.pending == 0)
    }
}
