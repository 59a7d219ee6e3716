import HelpDeskAPI
import Logging
import ServiceLifecycle
import SimulationSupport
import Synchronization

/// Fetches the state of documents named by thin webhooks, after the receiver has answered.
///
/// The receiver stores each thin notification in the database before it answers 2xx, and this service works through
/// them: on start it loads those left by a previous run, so a crash between the answer and the fetch loses nothing.
/// A fetch that fails is tried again, after the Help Desk's `Retry-After` when it gives one.
final class ThinFetcher: Service {
    private let context: StrategyContext
    private let queue: DeadlineQueue<String>
    /// Documents waiting for a fetch, so one named twice (at start and by the receiver) is fetched once.
    private let waiting = Mutex<Set<String>>([])

    init(context: StrategyContext) {
        self.context = context
        self.queue = DeadlineQueue(clock: context.clock)
    }

    /// Fetches `documentId` as soon as possible.
    func enqueue(_ documentId: String) {
        guard waiting.withLock({ $0.insert(documentId).inserted }) else { return }
        queue.schedule(documentId, at: context.clock.now)
    }

    func run() async throws {
        for documentId in try await context.ledger.store.pendingThinNotifications(limit: Int.max) {
            enqueue(documentId)
        }
        // Fetches are reads: on shutdown the ones in flight are cancelled and their notifications stay stored.
        await cancelWhenGracefulShutdown { [self] in
            await queue.serve(maxConcurrent: context.maxRequestsInFlight, label: { "thin fetch of \($0)" }, fetch)
        }
    }

    private func fetch(_ documentId: String) async {
        var retryAfter: Duration = .seconds(1)
        do {
            let answer = try await context.meter.measure { () async throws -> HelpDeskClient.StatusAnswer in
                let answer = try await context.client.document(documentId, kind: .thinFetch)
                if case .state(let state, _) = answer, state.documentStatus.isDecided {
                    _ = try await context.ledger.applyFetched(Verdict(documentId: documentId, status: state.documentStatus))
                }
                return answer
            }
            switch answer {
            case .state(let state, _) where state.documentStatus.isDecided:
                _ = waiting.withLock { $0.remove(documentId) }
                return
            case .retryLater(let requested):
                retryAfter = requested ?? retryAfter
            case .state, .notModified:
                break
            }
        } catch {
            guard !Task.isCancelled else { return }
            context.logger.warning("thin webhook fetch failed", metadata: ["document.id": "\(documentId)", "error": "\(error)"])
        }
        queue.schedule(documentId, at: context.clock.now.advanced(by: retryAfter))
    }
}
