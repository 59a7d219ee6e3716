import SimulationSupport
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1)))
struct ChangeWaitersTests {
    @Test func aNotifiedKeyWakesItsWaitersOnly() async {
        let waiters = ChangeWaiters<String>()
        let a = Task { await waiters.wait(for: "a") { false } }
        let b = Task { await waiters.wait(for: "b") { false } }
        while waiters.count < 2 { await Task.yield() }
        waiters.notify("a")
        await a.value
        #expect(waiters.count == 1)
        b.cancel()
        await b.value
        #expect(waiters.count == 0)
    }

    @Test func aChangeThatAlreadyHappenedIsNotWaitedFor() async {
        let waiters = ChangeWaiters<Int>()
        await waiters.wait(for: 1) { true }
        #expect(waiters.count == 0)
    }

    @Test func aWakeSignalSentBeforeTheWaitIsKept() async {
        let signal = WakeSignal()
        signal.signal()
        signal.signal()
        await signal.wait()
        let waiter = Task { await signal.wait() }
        signal.signal()
        await waiter.value
    }
}
