/// A point in time written as the time elapsed since a clock's start.
///
/// `Owner` only keeps the instants of different clocks apart: a model-time instant of a ``SimulationClock`` cannot
/// be handed to a ``ManualClock`` by mistake.
public struct OffsetInstant<Owner>: InstantProtocol, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Time elapsed since the clock's start.
    public var offset: Duration

    public init(offset: Duration) {
        self.offset = offset
    }

    /// The clock's start.
    public static var start: Self { Self(offset: .zero) }

    public func advanced(by duration: Duration) -> Self {
        Self(offset: offset + duration)
    }

    public func duration(to other: Self) -> Duration {
        other.offset - offset
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.offset < rhs.offset
    }

    public var description: String { "t+\(offset)" }
}
