import SimulationSupport

extension ManualClock {
    /// Steps time from one deadline to the next until `done` holds, waiting before each step until the simulation
    /// is quiet (no queued work in hand, nothing due), so no step races work still in flight.
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
            let next = activity.compactMap(\.earliestDeadline).min().map { Instant(offset: $0.offset) }
            guard let next, next <= limit else { return false }
            advance(to: next)
        }
    }
}
