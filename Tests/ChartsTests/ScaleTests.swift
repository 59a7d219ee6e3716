import Testing

@testable import Charts

struct ScaleTests {
    @Test func logTicksFallOnOneTwoFiveSteps() throws {
        #expect(Ticks.log(1...100) == [1, 2, 5, 10, 20, 50, 100])
        #expect(Ticks.log(3...40) == [5, 10, 20])
        #expect(Ticks.log(0.5...2) == [0.5, 1, 2])
        // Over four decades only the powers of ten remain, so labels do not collide.
        #expect(Ticks.log(1...1_000_000) == [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000])
    }

    @Test func linearTicksFallOnNiceSteps() {
        // Five to ten intervals of 1, 2 or 5 × 10ᵏ.
        #expect(Ticks.linear(0...10) == [0, 2, 4, 6, 8, 10])
        #expect(Ticks.linear(0...1) == [0, 0.2, 0.4, 0.6, 0.8, 1], "exact decimals, not 0.6000000000000001")
        #expect(Ticks.linear(-3...7) == [-2, 0, 2, 4, 6])
        #expect(Ticks.niceStep(for: 35) == 5)
        #expect(Ticks.niceStep(for: 1000) == 200)
        #expect(Ticks.niceStep(for: 0.8) == 0.1)
    }

    @Test func fittedScalesCoverTheDataWithNiceEnds() throws {
        let log = try Scale.fitting([3.2, 2200], kind: .log, range: (0, 100))
        #expect(log.domain == 2...5000)
        let linear = try Scale.fitting([1.2, 8.7], kind: .linear, range: (0, 100), includingZero: true)
        #expect(linear.domain == 0...9)
        // A value on a nice tick would be drawn on the frame: the domain leaves it a step of room.
        #expect(try Scale.fitting([1, 8.5], kind: .linear, range: (0, 100)).domain == 0...9)
        #expect(try Scale.fitting([2, 4], kind: .linear, range: (0, 100)).domain == 1.5...4.5)
        #expect(try Scale.fitting([0, 4.2], kind: .linear, range: (0, 100), includingZero: true).domain == 0...4.5, "an asked-for zero stays the edge")
    }

    @Test func positionsAreLinearOrLogarithmic() throws {
        let linear = Scale.linear(0...10, range: (100, 200))
        #expect(linear.position(0) == 100 && linear.position(5) == 150 && linear.position(10) == 200)
        let log = try Scale.log(1...100, range: (400, 0))
        #expect(abs(log.position(10) - 200) < 1e-9, "y axes run upwards: the range can decrease")
        #expect(abs(log.position(1) - 400) < 1e-9 && abs(log.position(100)) < 1e-9)
    }

    @Test func oneValueOrEqualValuesGetADomainAroundThem() throws {
        let linear = try Scale.fitting([7, 7, 7], kind: .linear, range: (0, 100))
        #expect(linear.domain.contains(7) && linear.domain.lowerBound < 7 && linear.domain.upperBound > 7)
        let log = try Scale.fitting([50], kind: .log, range: (0, 100))
        #expect(log.domain.lowerBound < 50 && log.domain.upperBound > 50)
        #expect(log.position(50) > 0 && log.position(50) < 100)
    }

    @Test func zeroOnALogAxisIsRefusedWithAClearError() {
        let error = #expect(throws: ScaleError.self) { try Scale.fitting([0, 10], kind: .log, range: (0, 100), axis: "latency (ms)") }
        #expect(error?.description == "latency (ms): a log scale needs positive values, not 0.0")
        #expect(throws: ScaleError.self) { try Scale.fitting([], kind: .linear, range: (0, 100)) }
    }

    @Test func labelsAreShortAndEscapingIsComplete() {
        #expect(Ticks.label(1000) == "1k" && Ticks.label(2_500_000) == "2.5M" && Ticks.label(0.25) == "0.25" && Ticks.label(5) == "5")
        #expect(SVGNode("text", [("title", "a\"b")], text: "<p> & 'q'").markup == #"<text title="a&quot;b">&lt;p&gt; &amp; &apos;q&apos;</text>"#)
    }

    @Test func theLegendWrapsAtTheWidth() {
        let placed = Legend.layout(["webhook", "poll-fixed:500ms", "poll-backoff:500ms,2,8s", "hybrid:60s,120s"], width: 340)
        #expect(placed.map(\.row) == [0, 0, 1, 1])
        #expect(placed[0].x == 0 && placed[2].x == 0)
    }
}
