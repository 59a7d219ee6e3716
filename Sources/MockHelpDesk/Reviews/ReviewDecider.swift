import Foundation
import HelpDeskAPI
import Logging
import SimulationSupport

/// What happens when a review's time comes: the verdict is applied and, if the submitter asked, a webhook is queued.
struct ReviewDecider: Sendable {
    let registry: DocumentRegistry
    let dispatcher: WebhookDispatcher
    let counters: HelpDeskCounters
    let clock: SimulationClock
    let wallClock: @Sendable () -> Date
    let logger: Logger
    /// Told the submission ordinal of every decision.
    let listeners: Listeners<UInt64>

    func decide(_ documentId: String) {
        guard let record = registry.decide(documentId, at: clock.now, wallTime: wallClock()) else { return }
        listeners.notify(record.ordinal)
        defer { counters.touch() }
        guard let callback = record.callback else { return }
        do {
            let body: Data
            switch callback.style {
            case .full:
                body = try HelpDeskJSON.encode(
                    WebhookPayload(
                        agentId: record.state.agentId,
                        documentId: documentId,
                        documentStatus: record.state.documentStatus,
                        metadata: record.metadata
                    )
                )
            case .thin:
                body = try HelpDeskJSON.encode(ThinWebhookPayload(documentId: documentId))
            }
            dispatcher.enqueue(documentId: documentId, callbackURL: callback.url, body: body)
        } catch {
            logger.error("webhook body could not be encoded", metadata: ["document.id": "\(documentId)", "error": "\(error)"])
        }
    }
}
