import HelpDeskAPI
import ServiceLifecycle
import SimulationSupport

/// `hybrid:R,T`: full webhooks for speed, plus a reconciliation sweep every `sweep` that, when any row has been
/// pending longer than `staleAfter`, reads the event feed to settle it. Webhooks that were dropped or exhausted their
/// retries are caught within R + T; when webhooks work, a sweep costs one query and no request.
struct HybridStrategy: Strategy {
    static let cursorName = "hybrid-reconciliation"

    let spec: StrategySpec
    let sweep: Duration
    let staleAfter: Duration
    let context: StrategyContext

    var callbackStyle: CallbackPayloadStyle? { .full }

    func watch(_ review: Review) {}

    func run() async throws {
        let reader = EventFeedReader(cursorName: Self.cursorName, source: .reconciliation, context: context)
        await PeriodicTask(clock: context.clock, period: sweep).run {
            do {
                let stale = try await context.ledger.store.pendingReviews(createdBefore: context.wallTime(modelAgo: staleAfter), limit: 1)
                return stale.isEmpty ? nil : try await reader.drain()
            } catch {
                context.logger.warning("reconciliation sweep failed", metadata: ["error": "\(error)"])
                return nil
            }
        }
    }
}
