import SimulationSupport
import Testing

@Suite(.timeLimit(.minutes(1)))
struct SimulationClockTests {
    @Test func modelTimeIsBaseTimeDividedByTheScale() {
        let base = ManualClock()
        let clock = SimulationClock(base: base, timeScale: 0.01)
        base.advance(by: .milliseconds(50))
        #expect(clock.now.offset == .seconds(5))
        #expect(clock.baseDuration(fromModel: .seconds(2)) == .milliseconds(20))
        #expect(clock.modelDuration(fromBase: .milliseconds(30)) == .seconds(3))
    }

    @Test func aModelSleepParksTheBaseClockAtTheScaledDeadline() async throws {
        let base = ManualClock()
        let clock = SimulationClock(base: base, timeScale: 0.5)
        let sleeper = Task { try await clock.sleep(until: .init(offset: .seconds(10))) }
        await base.waitForSleeper(at: .init(offset: .seconds(5)))
        base.advance(by: .seconds(5))
        try await sleeper.value
        #expect(clock.now.offset == .seconds(10))
    }

    @Test func runUntilReturnsTheResultOrNilAtTheDeadline() async {
        let base = ManualClock()
        let clock = SimulationClock(base: base)
        let quick = await clock.run(until: .init(offset: .seconds(1))) { 42 }
        #expect(quick == 42)

        let waiters = ChangeWaiters<Int>()
        let slow = Task { await clock.run(until: .init(offset: .seconds(2))) { await waiters.wait(for: 1) { false }; return 7 } }
        await base.waitForSleeper(at: .init(offset: .seconds(2)))
        base.advance(by: .seconds(2))
        #expect(await slow.value == nil)
        #expect(waiters.count == 0, "the losing operation is cancelled and unparked")
    }

    @Test(arguments: [
        ("250ms", Duration.milliseconds(250)), ("1.5s", .milliseconds(1500)), ("5m", .seconds(300)),
        ("2h", .seconds(7200)), ("3", .seconds(3)), (" 2s ", .seconds(2)),
    ])
    func durationsParse(text: String, expected: Duration) {
        #expect(Duration(parsing: text) == expected)
    }

    @Test(arguments: ["", "s", "-1s", "1x", "inf", "nan", "1e3s", "1..2s"])
    func malformedDurationsDoNot(text: String) {
        #expect(Duration(parsing: text) == nil)
    }

    @Test(arguments: [
        ("30", "\"30\" has no unit: give one, such as 30s or 30m"),
        ("1.5", "\"1.5\" has no unit: give one, such as 1.5s or 1.5m"),
        ("-5s", "\"-5s\" is negative: give a duration of zero or more"),
        ("-5", "\"-5\" is negative"),
        ("", "a duration is missing"),
        ("soon", "\"soon\" is not a duration: give a number and a unit (ms, s, m, h or d)"),
    ])
    func whatAUserTypesNeedsAUnit(text: String, message: String) {
        let error = #expect(throws: DurationTextError.self) { try Duration(userText: text) }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "accepted")")
    }

    @Test func whatAUserTypesWithAUnitReadsAsTheFilesDo() throws {
        for text in ["250ms", "1.5s", "5m", "2h", "1d", " 2s ", "0s"] {
            #expect(try Duration(userText: text) == Duration(parsing: text))
        }
        #expect(try ClosedRange<Duration>(userText: "10m...2h") == .seconds(600) ... .seconds(7200))
        for (text, message) in [
            ("2h...10m", "\"2h...10m\" is reversed: give the shorter duration first, 10m...2h"),
            ("10...120", "\"10\" has no unit"),
            ("10m", "\"10m\" is not a range: give two durations"),
            ("10m...-2h", "\"-2h\" is negative"),
        ] {
            let error = #expect(throws: DurationTextError.self) { try ClosedRange<Duration>(userText: text) }
            #expect(error?.description.contains(message) == true, "\(text): \(error?.description ?? "accepted")")
        }
    }

    @Test func compactDescriptionsReadBack() {
        for duration in [Duration.milliseconds(500), .seconds(2), .seconds(90), .seconds(300), .seconds(7200)] {
            #expect(Duration(parsing: duration.compactDescription) == duration)
        }
    }
}
