import SimulationSupport

extension ManualClock {
    /// Steps time from one deadline to the next until `done` holds, waiting before each step until the simulation
    /// is quiet (no work unit busy, nothing due), so no step races work still in flight: a test's own
    /// ``VirtualTimeStepper``, for tests whose requests come from outside the simulation.
    ///
    /// The simulation clock must be built on this clock with a time scale of 1, so model and manual instants agree.
    /// - Parameters:
    ///   - activity: The activity of the simulation clock(s) in play.
    ///   - limit: The latest instant to step to; reaching it without `done` ends the run.
    ///   - done: Checked when quiet, before each step.
    /// - Returns: Whether `done` held.
    @discardableResult
    public func run(
        _ activity: SimulationActivity...,
        until limit: Instant,
        done: @Sendable () async throws -> Bool
    ) async rethrows -> Bool {
        while true {
            for each in activity { await each.waitUntilQuiet() }
            if try await done() { return true }
            let queued = activity.compactMap(\.earliestDeadline).map { Instant(offset: $0.offset) }
            let next = ([nextDeadline].compactMap { $0 } + queued).min()
            guard let next, next <= limit else { return false }
            advance(to: next)
        }
    }
}
