import SimulationSupport
import Synchronization
import Testing

/// The hand-overs of virtual time, unit by unit: a waiter is made busy by whoever wakes it before it runs again, so
/// no instant between the wake and the waiter's own next wait looks quiet.
@Suite(.timeLimit(.minutes(1)))
struct WorkUnitTests {
    /// A gate outside the simulation: a task held at it keeps its unit running (it is working, not waiting on the
    /// model), which lets a test look at the activity between a wake-up and the woken task's next step.
    final class Gate: Sendable {
        private let stream: AsyncStream<Void>
        private let continuation: AsyncStream<Void>.Continuation

        init() {
            (stream, continuation) = AsyncStream.makeStream()
        }

        func pass() async {
            for await _ in stream { return }
        }

        func open() {
            continuation.yield()
            continuation.finish()
        }
    }

    let clock = SimulationClock.virtual()
    var activity: SimulationActivity { clock.activity }

    @Test func aWallClockTracksNothing() {
        let wall = SimulationClock(base: ContinuousClock(), timeScale: 0.5)
        #expect(!wall.isVirtual)
        #expect(wall.activity.begin("anything") == nil)
        #expect(wall.activity.isQuiet)
    }

    @Test func aSleepParksItsUnitAndTheClockUnparksItBeforeItRuns() async throws {
        let gate = Gate()
        let unit = try #require(activity.begin("sleeper"))
        #expect(!activity.isQuiet, "a unit begun is running")
        let sleeper = Task { [clock] in
            try await unit.run {
                try await clock.sleep(until: .init(offset: .seconds(5)))
                await gate.pass()
            }
        }
        await activity.waitUntilQuiet()
        #expect(activity.busyUnitCount == 0, "asleep on the model: parked")

        let stepper = try #require(clockBase())
        stepper.advance(to: .init(offset: .seconds(5)))
        #expect(!activity.isQuiet, "woken: busy before it has run a single step")
        gate.open()
        try await sleeper.value
        #expect(activity.isQuiet, "ended")
    }

    @Test func aNotifierUnparksTheWaiterBeforeLettingGo() async throws {
        let waiters = ChangeWaiters<Int>()
        let changed = Atomic<Bool>(false)
        let gate = Gate()
        let waiter = try #require(activity.begin("waiter"))
        let task = Task {
            await waiter.run {
                await waiters.wait(for: 1) { changed.load(ordering: .relaxed) }
                await gate.pass()
            }
        }
        await activity.waitUntilQuiet()
        let notifier = try #require(activity.begin("notifier"))
        changed.store(true, ordering: .relaxed)
        waiters.notify(1)
        notifier.end()
        #expect(!activity.isQuiet, "the notifier has let go, but the woken waiter is busy")
        #expect(activity.workInHand == ["waiter"])
        gate.open()
        await task.value
        #expect(activity.isQuiet)
    }

    @Test func aWaitThatNeedNotWaitNeverParks() async throws {
        let waiters = ChangeWaiters<Int>()
        let unit = try #require(activity.begin("reader"))
        await unit.run {
            await waiters.wait(for: 1) { true }
            #expect(activity.busyUnitCount == 1, "a change already made is not waited for: the unit never looked idle")
        }
        #expect(activity.isQuiet)
    }

    @Test func aSignalHandsOverToItsWaiter() async throws {
        let signal = WakeSignal()
        let gate = Gate()
        let waiter = try #require(activity.begin("consumer"))
        let task = Task {
            await waiter.run {
                await signal.wait()
                await gate.pass()
            }
        }
        await activity.waitUntilQuiet()
        signal.signal()
        #expect(!activity.isQuiet)
        gate.open()
        await task.value
        #expect(activity.isQuiet)
    }

    @Test func anExchangeHeldByItsServerLetsTimeMoveAndItsAnswerKeepsItBusyUntilReceived() async throws {
        let exchange = try #require(activity.beginExchange("GET /document/doc_1?wait=30"))
        // The server takes the exchange over from the request's header and holds it on the model.
        let server = try #require(activity.unit(token: exchange.token))
        let waiters = ChangeWaiters<Int>()
        let decided = Atomic<Bool>(false)
        let handler = Task {
            await server.adopt { await waiters.wait(for: 1) { decided.load(ordering: .relaxed) } }
            server.responded()
        }
        await activity.waitUntilQuiet()
        #expect(activity.busyUnitCount == 0, "a held request is parked: time may move")

        decided.store(true, ordering: .relaxed)
        waiters.notify(1)
        await handler.value
        #expect(!activity.isQuiet, "the answer is in transit")
        #expect(activity.workInHand == ["GET /document/doc_1?wait=30 [answer in transit]"])
        exchange.received()
        #expect(activity.isQuiet)
    }

    @Test func anAbandonedExchangeEndsWhenItsServerAnswers() async throws {
        let exchange = try #require(activity.beginExchange("POST webhook"))
        let server = try #require(activity.unit(token: exchange.token))
        let parking = server.park()
        exchange.abandon()
        #expect(activity.isQuiet, "the client gave up, the server is parked")
        parking.end()
        #expect(!activity.isQuiet, "the server woke up and works on its answer")
        server.responded()
        #expect(activity.isQuiet, "an answer nobody waits for ends the exchange")
        #expect(activity.unit(token: exchange.token) == nil)
    }

    @Test func streamBytesInTransitAreWorkUntilTheReaderSettlesThem() throws {
        let stream = try #require(activity.beginStream("the event stream"))
        #expect(activity.isQuiet, "a stream nobody writes to is idle")
        stream.join()
        stream.credit(120)
        let writerParked = stream.park()
        #expect(!activity.isQuiet, "written, not read")
        #expect(activity.workInHand == ["the event stream (120 stream bytes unread)"])
        stream.settle(120)
        #expect(activity.isQuiet, "read, and the writer waits")
        writerParked.end()
        stream.credit(40)
        stream.close()
        #expect(!activity.isQuiet, "the writer still works")
        stream.end()
        #expect(activity.isQuiet, "closed: unread bytes are dropped with the reader")
        #expect(activity.unit(token: stream.token) == nil)
    }

    @Test func aParkingEndedBeforeItBeganLeavesTheUnitRunning() throws {
        let unit = try #require(activity.begin("racer"))
        let parking = unit.park()
        #expect(activity.isQuiet)
        parking.end()
        parking.end()
        #expect(activity.busyUnitCount == 1, "ending twice unparks once")
        unit.end()
        #expect(activity.isQuiet)
    }

    @Test func aTimerRacedAgainstASignalFiresAtItsDeadline() async throws {
        let signal = WakeSignal()
        let unit = try #require(activity.begin("sleeper"))
        let task = Task { [clock] in
            await unit.run { await clock.sleep(until: .init(offset: .seconds(2)), orUntil: signal) }
        }
        await activity.waitUntilQuiet()
        #expect(clockBase()?.nextDeadline == .init(offset: .seconds(2)))
        clockBase()?.advance(to: .init(offset: .seconds(2)))
        #expect(await task.value == true, "the deadline came first")
        await activity.waitUntilQuiet()
        #expect(clockBase()?.nextDeadline == nil, "the timer is gone")
    }

    private func clockBase() -> ManualClock? {
        VirtualTimeStepperTests.manual(of: clock)
    }
}

@Suite(.timeLimit(.minutes(1)))
struct VirtualTimeStepperTests {
    /// The manual clock under a virtual clock, reached through its deadlines.
    static func manual(of clock: SimulationClock) -> ManualClock? {
        clock.manualBase
    }

    @Test func theStepperJumpsFromDeadlineToDeadlineWhileTheBodyWaits() async throws {
        let clock = SimulationClock.virtual()
        let stepper = VirtualTimeStepper(clock: clock)
        let times = try await stepper.drive {
            var seen: [Duration] = []
            for second in [5, 3600, 86_400] {
                try await clock.sleep(until: .init(offset: .seconds(second)))
                seen.append(clock.now.offset)
            }
            return seen
        }
        #expect(times == [.seconds(5), .seconds(3600), .seconds(86_400)])
        #expect(stepper.stall == nil)
        #expect(stepper.statistics.steps == 3)
        #expect(stepper.statistics.events == 3)
        #expect(stepper.statistics.model == .seconds(86_400))
    }

    @Test func workThatNeverFinishesStopsTheDriveAndIsNamed() async throws {
        let clock = SimulationClock.virtual()
        let stepper = VirtualTimeStepper(clock: clock, watchdog: .milliseconds(300))
        let stuck = clock.activity.begin("a request that never comes back")
        let result = try await stepper.drive {
            try? await clock.sleep(until: .init(offset: .seconds(1)))
            return Task.isCancelled ? "cancelled" : "finished"
        }
        #expect(result == "cancelled", "the body was stopped, and its partial result kept")
        let stall = try #require(stepper.stall)
        #expect(stall.reason == .busyTooLong(.milliseconds(300)))
        #expect(stall.workInHand == ["a request that never comes back"])
        #expect(stall.description.contains("a request that never comes back"))
        stuck?.end()
    }

    @Test func aBodyWaitingForWhatCanNeverHappenIsAStall() async throws {
        let clock = SimulationClock.virtual()
        let stepper = VirtualTimeStepper(clock: clock)
        let never = ChangeWaiters<Int>()
        let result = try await stepper.drive {
            await never.wait(for: 0) { false }
            return Task.isCancelled
        }
        #expect(result, "the waiting body was cancelled")
        #expect(stepper.stall?.reason == .nothingScheduled)
    }

    @Test func aBodyThatIgnoresCancellationDoesNotHangTheDrive() async throws {
        let clock = SimulationClock.virtual()
        let stepper = VirtualTimeStepper(clock: clock, watchdog: .milliseconds(200))
        let stuck = clock.activity.begin("stuck")
        // A wait that cancellation does not end.
        let held = Mutex<CheckedContinuation<Void, Never>?>(nil)
        await #expect(throws: VirtualTimeStall.self) {
            try await stepper.drive(cancellationGrace: .milliseconds(200)) {
                await withCheckedContinuation { continuation in held.withLock { $0 = continuation } }
            }
        }
        held.withLock { $0 }?.resume()
        stuck?.end()
    }
}
