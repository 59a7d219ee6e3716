import HelpDeskAPI
import SimulationSupport

/// One decided review as the Help Desk saw it, with model-time instants for measuring how late others learn it.
public struct HelpDeskDecision: Sendable, Hashable {
    public var documentId: String
    public var verdict: DocumentStatus
    /// Which submission this was (0-based), the index of its seeded draw.
    public var ordinal: UInt64
    public var submittedAt: SimulationClock.Instant
    public var decidedAt: SimulationClock.Instant
}
