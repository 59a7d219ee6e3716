import SimulationSupport

/// How a run's model time passes.
public enum RunClock: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Model time is the run's time, moved only when the whole system is quiet, straight to the next deadline
    /// (``VirtualTimeStepper``): the strategies' own figures, at any delays, reproducible from the seed.
    case virtual
    /// Model time follows the wall clock through the time scale: what the machine costs under load shows in every
    /// figure.
    case wall

    public var description: String { rawValue }
}
