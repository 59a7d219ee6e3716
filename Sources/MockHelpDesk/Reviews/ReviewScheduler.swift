import ServiceLifecycle
import SimulationSupport

/// Decides each review when its deadline comes: one loop over one deadline queue for every pending review.
final class ReviewScheduler: Service {
    private let queue: DeadlineQueue<String>
    private let decide: @Sendable (String) -> Void

    /// - Parameters:
    ///   - clock: The model-time clock deadlines are read on.
    ///   - decide: Called with each document id whose deadline has passed, in deadline order.
    init(clock: SimulationClock, decide: @escaping @Sendable (String) -> Void) {
        self.queue = DeadlineQueue(clock: clock)
        self.decide = decide
    }

    /// Reviews not yet decided.
    var pendingCount: Int { queue.count }

    func schedule(_ documentId: String, at deadline: SimulationClock.Instant) {
        queue.schedule(documentId, at: deadline)
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            while let due = await queue.nextDue() {
                due.forEach(decide)
                queue.markDone(due.count)
            }
        } onGracefulShutdown: {
            self.queue.finish()
        }
    }
}
