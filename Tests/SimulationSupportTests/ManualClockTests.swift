import SimulationSupport
import Testing

@Suite(.timeLimit(.minutes(1)))
struct ManualClockTests {
    @Test func sleepersWakeWhenTimePassesTheirDeadline() async throws {
        let clock = ManualClock()
        let deadline = ManualClock.Instant(offset: .seconds(5))
        let sleeper = Task { try await clock.sleep(until: deadline) }
        await clock.waitForSleeper(at: deadline)

        clock.advance(by: .seconds(4))
        #expect(clock.pendingDeadlines == [deadline])

        clock.advance(by: .seconds(1))
        try await sleeper.value
        #expect(clock.pendingDeadlines.isEmpty)
        #expect(clock.now == deadline)
    }

    @Test func aDeadlineInThePastReturnsAtOnce() async throws {
        let clock = ManualClock()
        clock.advance(by: .seconds(10))
        try await clock.sleep(until: .init(offset: .seconds(3)))
        #expect(clock.pendingDeadlines.isEmpty)
    }

    @Test func cancellingASleeperThrowsAndUnparksIt() async throws {
        let clock = ManualClock()
        let deadline = ManualClock.Instant(offset: .seconds(1))
        let sleeper = Task { try await clock.sleep(until: deadline) }
        await clock.waitForSleeper(at: deadline)
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.pendingDeadlines.isEmpty)
    }

    @Test func timeNeverMovesBackward() {
        let clock = ManualClock()
        clock.advance(to: .init(offset: .seconds(8)))
        clock.advance(to: .init(offset: .seconds(2)))
        #expect(clock.now == .init(offset: .seconds(8)))
    }

    @Test func observersWaitForTheSleepersTheyExpect() async throws {
        let clock = ManualClock()
        let sleepers = (1...3).map { second in
            Task { try await clock.sleep(until: .init(offset: .seconds(second))) }
        }
        await clock.waitForSleepers { $0.count == 3 }
        #expect(clock.pendingDeadlines.map(\.offset) == [.seconds(1), .seconds(2), .seconds(3)])
        clock.advance(by: .seconds(3))
        for sleeper in sleepers { try await sleeper.value }
    }
}
