import ServiceLifecycle
import SimulationSupport

/// Runs `work` every `period` of model time until graceful shutdown, each tick a deadline-queue entry so that
/// ``SimulationActivity`` sees the work in hand.
struct PeriodicTask: Sendable {
    let clock: SimulationClock
    let period: Duration

    /// - Parameter work: Runs once per tick; returns how long the next tick must wait at least, if longer than a period.
    func run(_ work: @escaping @Sendable () async -> Duration?) async {
        let ticks = DeadlineQueue<Void>(clock: clock)
        ticks.schedule((), at: clock.now.advanced(by: period))
        await withGracefulShutdownHandler {
            while let due = await ticks.nextDue() {
                let scheduled = clock.now
                var next = scheduled.advanced(by: period)
                if let wait = await work() { next = max(next, clock.now.advanced(by: wait)) }
                ticks.schedule((), at: next)
                ticks.markDone(due.count)
            }
        } onGracefulShutdown: {
            ticks.finish()
        }
    }
}
