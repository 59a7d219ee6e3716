import Foundation
import Testing

@testable import BenchKit

struct OutputTests {
    @Test func csvFieldsAreQuotedOnlyWhenTheyMustBe() {
        var table = CSVTable(columns: ["a", "b"])
        table.append(["plain", "has,comma"])
        table.append(["has \"quote\"", "two\nlines"])
        #expect(table.text == "a,b\r\nplain,\"has,comma\"\r\n\"has \"\"quote\"\"\",\"two\nlines\"\r\n")
    }

    @Test func numbersAreWrittenWithoutNoise() {
        #expect(CSVTable.number(12) == "12")
        #expect(CSVTable.number(0.5) == "0.5")
        #expect(CSVTable.number(1.23456) == "1.235")
        #expect(CSVTable.number(-0.0001) == "0")
        #expect(CSVTable.number(.nan) == "")
    }

    @Test func latencyPercentilesComeFromTheHistogram() {
        let durations = (1...1000).map { Duration.milliseconds($0) }
        let summary = LatencySummary(durations)
        #expect(summary.count == 1000)
        #expect(abs(summary.milliseconds(atPercentile: 50) - 500) <= 1)
        #expect(abs(summary.milliseconds(atPercentile: 90) - 900) <= 1)
        #expect(abs(summary.milliseconds(atPercentile: 99) - 990) <= 1)
        #expect(abs(summary.maxMilliseconds - 1000) <= 1)
        #expect(abs(summary.meanMilliseconds - 500.5) <= 1)
        #expect(LatencySummary([]).percentileMilliseconds == LatencySummary.percentiles.map { _ in 0 })
    }
}
