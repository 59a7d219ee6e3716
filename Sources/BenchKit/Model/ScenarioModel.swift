import Flows
import MockHelpDesk

extension ScenarioSpec {
    /// What the strategies' models are computed on: this scenario's review delays, documents and seed, and, from the
    /// Help Desk it runs against, the retry schedule and the faults the models know how to price (dropped webhooks).
    /// - Parameter window: How long the run lasted, model time.
    public func modelWorkload(window: Duration) -> ModelWorkload {
        let helpDesk = helpDeskConfiguration
        var workload = ModelWorkload(reviewDelay: reviewDelay, documents: documents, window: window, seed: seed)
        workload.webhookDropRate = helpDesk.faults.dropWebhookRatio
        workload.retryDelays = helpDesk.delivery.schedule.delays
        return workload
    }
}
