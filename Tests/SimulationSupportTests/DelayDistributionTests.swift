import Foundation
import Testing

@testable import SimulationSupport

@Suite struct DelayDistributionTests {
    private func parse(_ shape: String?, _ range: ClosedRange<Duration>? = nil, file: String = "") throws(DelayDistributionError) -> DelayDistribution {
        try DelayDistribution.parse(shape: shape, range: range, uniformRange: .seconds(2) ... .seconds(5)) { _ in file }
    }

    private func message(_ shape: String?, _ range: ClosedRange<Duration>? = nil, file: String = "") -> String? {
        do {
            _ = try parse(shape, range, file: file)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func uniformDrawsAreTheRangeScaledAsBefore() throws {
        let distribution = try parse(nil)
        #expect(distribution == .uniform(.seconds(2) ... .seconds(5)))
        #expect(distribution.quantile(0) == 2)
        #expect(distribution.quantile(0.5) == 3.5)
        // The Help Desk's seeded draws stay bit for bit those of a plain uniform range.
        for unit in [0.0, 0.123_456_789, 0.5, 0.999_999] {
            #expect(distribution.quantile(unit) == 2 + 3 * unit)
        }
        #expect(distribution.description == "2s...5s")
        #expect(try parse("uniform", .seconds(300) ... .seconds(14_400)).description == "300s...4h")
    }

    @Test func exponentialQuantilesInvertItsDistributionFunction() throws {
        let distribution = try parse("exponential:30m")
        #expect(distribution.upperBound == nil)
        for p in [0.01, 0.25, 0.5, 0.9, 0.99, 0.999] {
            #expect(abs(distribution.quantile(p) - (-1800 * log(1 - p))) <= 1e-6 * 1800 * -log(1 - p))
        }
        // Truncated: every quantile inside the range, and the median of the conditioned distribution.
        let truncated = try parse("exponential:1h", .seconds(300) ... .seconds(14_400))
        #expect(truncated.quantile(0) == 300)
        #expect(abs(truncated.quantile(0.999_999) - 14_400) < 1)
        let (low, high) = (1 - exp(-300.0 / 3600), 1 - exp(-14_400.0 / 3600))
        let median = -3600 * log(1 - (low + (high - low) / 2))
        #expect(abs(truncated.quantile(0.5) - median) < 1e-6 * median)
        #expect(truncated.description == "exponential:1h within 300s...4h")
    }

    @Test func lognormalMedianAndSpreadFollowItsParameters() throws {
        let distribution = try parse("lognormal:20m,1.2")
        #expect(abs(distribution.quantile(0.5) - 1200) < 1e-6 * 1200)
        // The 84.13th percentile is one sigma above the median in log space.
        #expect(abs(distribution.quantile(0.841_344_746) - 1200 * exp(1.2)) < 1e-5 * 1200 * exp(1.2))
        #expect(abs(distribution.quantile(0.001) - 1200 * exp(-1.2 * 3.090_232_306)) < 1e-4 * 1200)
    }

    @Test func normalQuantileInvertsTheDistributionFunction() {
        for p in [1e-12, 1e-6, 0.001, 0.02, 0.3, 0.5, 0.7, 0.975, 0.999_999] {
            #expect(abs(NormalDistribution.cumulative(NormalDistribution.quantile(p)) - p) <= 1e-12 + 1e-9 * p)
        }
        #expect(abs(NormalDistribution.quantile(0.975) - 1.959_963_985) < 1e-8)
    }

    @Test func drawsFollowTheDistribution() throws {
        // 20,000 seeded unit draws through the quantile: their empirical quantiles sit on the distribution's.
        let distribution = try parse("lognormal:90s,0.8", .seconds(10) ... .seconds(1800))
        var generator = SeededGenerator(seed: 7)
        let draws = (0..<20_000).map { _ in distribution.draw(Double.random(in: 0..<1, using: &generator)).secondsValue }.sorted()
        #expect(draws.allSatisfy { (10...1800).contains($0) })
        for p in [0.1, 0.5, 0.9, 0.99] {
            let measured = draws[Int(p * Double(draws.count))]
            let expected = distribution.quantile(p)
            #expect(abs(measured - expected) / expected < 0.05, "p\(p * 100): drew \(measured) s, the distribution says \(expected) s")
        }
    }

    @Test func empiricalResamplesTheObservedDelays() throws {
        let file = "delay\n90s\n\n# a comment\n2m\n30\n1.5h\n"
        let distribution = try parse("empirical:observed.csv", file: file)
        #expect(distribution.quantile(0) == 30)
        #expect(distribution.quantile(0.3) == 90)
        #expect(distribution.quantile(0.6) == 120)
        #expect(distribution.quantile(0.99) == 5400)
        #expect(distribution.upperBound == .seconds(5400))
        // Truncated: the delays outside the range are dropped.
        let truncated = try parse("empirical:observed.csv", .seconds(60) ... .seconds(3600), file: file)
        #expect(truncated.quantile(0) == 90)
        #expect(truncated.quantile(0.99) == 120)
        // Several columns: the header names the delays' column.
        let table = try parse("empirical:reviews.csv", file: "document_id,delay_s,verdict\na,12,ACCEPTED\nb,40,REJECTED\r\n")
        #expect(table.quantile(0) == 12)
        #expect(table.quantile(0.9) == 40)
    }

    @Test func badParametersAreNamed() throws {
        let cases: [(shape: String, fragment: String)] = [
            ("exponential", "exponential takes one parameter"),
            ("exponential:soon", "the mean \"soon\" is not a duration: give a number and a unit"),
            ("exponential:30", "the mean \"30\" has no unit: give one, such as 30s or 30m"),
            ("exponential:0s", "the mean must be a positive duration"),
            ("lognormal:20m", "lognormal takes 2 parameters"),
            ("lognormal:-3m,1", "the median \"-3m\" is negative"),
            ("lognormal:30,0.6", "lognormal: the median \"30\" has no unit: give one, such as 30s or 30m"),
            ("lognormal:20m,wide", "sigma must be a positive number"),
            ("lognormal:20m,0", "sigma must be a positive number"),
            ("lognormal:20m,50", "sigma must be a number above 0 and at most 10"),
            ("uniform:3s", "uniform takes no parameters"),
            ("gamma:2", "unknown distribution \"gamma:2\""),
            ("empirical", "empirical takes a file"),
        ]
        for (shape, fragment) in cases {
            let text = try #require(message(shape), "\(shape) was accepted")
            #expect(text.contains(fragment), "\(shape): \(text)")
        }
        let outside = try #require(message("exponential:1s", .seconds(3600) ... .seconds(7200)))
        #expect(outside.contains("exponential: the mean 1s lies outside the review delays 1h...2h"), "\(outside)")
        let median = try #require(message("lognormal:30s,0.6", .seconds(600) ... .seconds(7200)))
        #expect(median.contains("lognormal: the median 30s lies outside the review delays 10m...2h: give one inside them, or widen --review-delay"), "\(median)")
        let empty = try #require(message("empirical:late.csv", .seconds(3600) ... .seconds(7200), file: "5s\n10s\n"))
        #expect(empty.contains("late.csv: no observed delay lies in 1h...2h"), "\(empty)")
    }

    @Test func anEmpiricalFileWithABadRowIsRefusedWithItsLineNumber() throws {
        let cases: [(file: String, fragment: String)] = [
            ("delay\n90s\n2m\nsoon\n", "observed.csv line 4: \"soon\" is not a delay"),
            ("90s\n-5s\n", "observed.csv line 2: \"-5s\" is not a delay"),
            ("id,delay\na,3s\nb\n", "observed.csv line 3: 1 fields where the first row has 2"),
            ("id,verdict\na,ACCEPTED\n", "observed.csv line 1: with several columns, the first row must name the delays' column"),
            ("delay\n\n# none yet\n", "observed.csv: no delays"),
        ]
        for (file, fragment) in cases {
            let text = try #require(message("empirical:observed.csv", file: file), "\(file) was accepted")
            #expect(text.contains(fragment), "\(text)")
        }
        let unreadable = try #require({ () -> String? in
            do {
                _ = try DelayDistribution.parse(shape: "empirical:/nonexistent/delays.csv", range: nil, uniformRange: .seconds(2) ... .seconds(5))
                return nil
            } catch {
                return "\(error)"
            }
        }())
        #expect(unreadable.contains("/nonexistent/delays.csv cannot be read"))
    }
}
