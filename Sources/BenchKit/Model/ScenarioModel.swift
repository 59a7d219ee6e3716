import Flows
import MockHelpDesk

extension ScenarioSpec {
    /// What the strategies' models are computed on: this scenario's review delays, documents and seed, the Help
    /// Desk's retry schedule, and the faults the models know how to price (dropped webhooks).
    /// - Parameter window: How long the run lasted, model time.
    public func modelWorkload(window: Duration) -> ModelWorkload {
        var workload = ModelWorkload(reviewDelay: reviewDelay, documents: documents, window: window, seed: seed)
        workload.webhookDropRate = faults.dropWebhookRatio
        workload.retryDelays = HelpDeskConfiguration().delivery.schedule.delays
        return workload
    }
}
