import Foundation
import Testing

@testable import BenchKit
@testable import Flows

struct WorkloadTests {
    @Test func arrivalsAreFixedByTheSeedAndPoissonAtTheRate() {
        let schedule = ArrivalSchedule(documents: 10_000, ratePerSecond: 100, seed: 42)
        #expect(schedule == ArrivalSchedule(documents: 10_000, ratePerSecond: 100, seed: 42))
        #expect(schedule != ArrivalSchedule(documents: 10_000, ratePerSecond: 100, seed: 43))
        #expect(zip(schedule.offsets, schedule.offsets.dropFirst()).allSatisfy { $0 <= $1 })
        // 10,000 arrivals at 100/s span about 100 s; the gaps' standard deviation equals their mean (exponential).
        #expect(abs(schedule.span.secondsValue - 100) < 3)
        let gaps = zip(schedule.offsets.dropFirst(), schedule.offsets).map { ($0 - $1).secondsValue }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        let deviation = (gaps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gaps.count)).squareRoot()
        #expect(abs(deviation / mean - 1) < 0.05)
    }

    @Test func arrivalsByAnInstantCountThePlannedOffsetsUpToIt() {
        let schedule = ArrivalSchedule(documents: 1000, ratePerSecond: 100, seed: 7)
        for elapsed in [Duration.zero, .milliseconds(1), .seconds(1), .seconds(5), schedule.span, .seconds(100)] {
            #expect(schedule.arrivals(by: elapsed) == schedule.offsets.filter { $0 <= elapsed }.count, "\(elapsed)")
        }
        #expect(schedule.arrivals(by: schedule.span) == 1000)
    }

    @Test func theLogarithmMatchesTheLibrarys() {
        for x in [1e-9, 0.001, 0.25, 0.5, 0.7, 1, 1.5, 2, 10, 12345.678] {
            #expect(abs(ArrivalSchedule.log(x) - Foundation.log(x)) < 1e-12 * max(1, abs(Foundation.log(x))), "\(x)")
        }
    }

    @Test func strategyListsKeepTheCommasOfTheirParameters() throws {
        let list = try StrategySpec.parseList("webhook,poll-backoff:0.5s,2,8s,hybrid:60s,120s,poll-fixed:1s")
        #expect(list == [
            .webhook, .pollBackoff(initial: .milliseconds(500), factor: 2, cap: .seconds(8)),
            .hybrid(sweep: .seconds(60), staleAfter: .seconds(120)), .pollFixed(interval: .seconds(1)),
        ])
        #expect(throws: StrategySpecError.self) { try StrategySpec.parseList("webhook,bogus") }
        #expect(throws: StrategySpecError.self) { try StrategySpec.parseList("") }
    }
}
