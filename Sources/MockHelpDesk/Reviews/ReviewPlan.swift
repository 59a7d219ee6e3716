import HelpDeskAPI
import SimulationSupport

/// What the simulated human will do with the n-th submitted document: drawn once, from the seed and n only.
public struct ReviewPlan: Sendable, Hashable {
    public var documentId: String
    public var agentId: String
    /// Model time from submission to decision.
    public var delay: Duration
    public var verdict: DocumentStatus

    /// The number of agents the Help Desk staffs.
    static let agentCount = 8

    /// Draws the plan of the `ordinal`-th document (0-based).
    ///
    /// The draw depends on nothing but its arguments, so a seed fixes every review's delay and verdict however
    /// concurrent submissions interleave.
    public static func draw(seed: UInt64, ordinal: UInt64, delay: DelayDistribution, acceptRatio: Double) -> ReviewPlan {
        var random = SeededGenerator(seed: seed, stream: "review", index: ordinal)
        let seconds = delay.quantile(random.nextUnit())
        let accepted = random.nextUnit() < acceptRatio
        let agent = Int(random.next() % UInt64(agentCount)) + 1
        let documentId = "doc_" + hex(random.next())
        return ReviewPlan(
            documentId: documentId,
            agentId: "agent_\(agent)",
            delay: .seconds(seconds),
            verdict: accepted ? .accepted : .declined
        )
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
