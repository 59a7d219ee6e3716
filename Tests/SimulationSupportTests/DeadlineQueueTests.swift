import SimulationSupport
import Testing

@Suite(.timeLimit(.minutes(1)))
struct DeadlineQueueTests {
    private func at(_ seconds: Int) -> SimulationClock.Instant { .init(offset: .seconds(seconds)) }

    @Test func entriesComeOutWhenDueInDeadlineOrder() async throws {
        let base = ManualClock()
        let queue = DeadlineQueue<String>(clock: SimulationClock(base: base))
        queue.schedule("c", at: at(3))
        queue.schedule("a", at: at(1))
        queue.schedule("b", at: at(1))
        queue.schedule("d", at: at(9))

        let consumer = Task { await queue.nextDue() }
        await base.waitForSleeper(at: .init(offset: .seconds(1)))
        base.advance(by: .seconds(3))
        #expect(await consumer.value == ["a", "b", "c"])
        #expect(queue.count == 1)
    }

    @Test func anEarlierEntryWakesTheSleepingConsumer() async throws {
        let base = ManualClock()
        let queue = DeadlineQueue<Int>(clock: SimulationClock(base: base))
        queue.schedule(10, at: at(10))
        let consumer = Task { await queue.nextDue() }
        await base.waitForSleeper(at: .init(offset: .seconds(10)))

        queue.schedule(2, at: at(2))
        await base.waitForSleeper(at: .init(offset: .seconds(2)))
        #expect(base.pendingDeadlines == [.init(offset: .seconds(2))], "one sleeper, moved to the earlier deadline")
        base.advance(by: .seconds(2))
        #expect(await consumer.value == [2])
    }

    @Test func anIdleConsumerWakesForTheFirstEntry() async throws {
        let base = ManualClock()
        let queue = DeadlineQueue<Int>(clock: SimulationClock(base: base))
        let consumer = Task { await queue.nextDue() }
        queue.schedule(1, at: at(0))
        #expect(await consumer.value == [1])
    }

    @Test func finishingStopsTheConsumer() async {
        let base = ManualClock()
        let queue = DeadlineQueue<Int>(clock: SimulationClock(base: base))
        queue.schedule(1, at: at(5))
        let consumer = Task { await queue.nextDue() }
        await base.waitForSleeper(at: .init(offset: .seconds(5)))
        queue.finish()
        #expect(await consumer.value == nil)
    }

    @Test func aScaledClockNeverSpinsShortOfADeadline() async {
        let base = ManualClock()
        // 1/3 does not divide evenly: the consumer must still treat the reached deadline as reached.
        let queue = DeadlineQueue<Int>(clock: SimulationClock(base: base, timeScale: 1.0 / 3.0))
        queue.schedule(1, at: .init(offset: .milliseconds(1000)))
        let consumer = Task { await queue.nextDue() }
        await base.waitForSleepers { !$0.isEmpty }
        base.advance(to: base.pendingDeadlines[0])
        #expect(await consumer.value == [1])
    }
}
