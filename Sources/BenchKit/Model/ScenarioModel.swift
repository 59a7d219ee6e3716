import Flows
import MockHelpDesk

extension ScenarioSpec {
    /// What the strategies' models are computed on: this scenario's review delays, documents and seed, and, from the
    /// Help Desk it runs against, the retry schedule and the faults the models know how to price (dropped webhooks).
    /// - Parameters:
    ///   - window: How long the run lasted, model time.
    ///   - streamFrames: The sizes of what the Help Desk's event stream sends (``MockHelpDesk/streamFrameSizes()``),
    ///     for the model of `sse`'s bytes.
    public func modelWorkload(window: Duration, streamFrames: (event: Int?, heartbeat: Int, opening: Int)? = nil) -> ModelWorkload {
        let helpDesk = helpDeskConfiguration
        var workload = ModelWorkload(reviewDelay: reviewDelay, documents: documents, window: window, seed: seed)
        workload.webhookDropRate = helpDesk.faults.dropWebhookRatio
        workload.retryDelays = helpDesk.delivery.schedule.delays
        workload.networkDelay = network.mean.secondsValue
        workload.maxInFlight = maxInFlight * instances
        workload.arrivals = arrivals.offsets.map(\.secondsValue)
        workload.stream.reconnectGap = helpDesk.stream.retryHint
        workload.stream.heartbeat = helpDesk.stream.heartbeat
        workload.stream.closesAfterEvents = helpDesk.faults.closeStreamsAfterEvents
        workload.stream.outages = helpDeskRestarts.map(\.down)
        if let streamFrames {
            workload.stream.eventBytes = streamFrames.event
            workload.stream.heartbeatBytes = streamFrames.heartbeat
            workload.stream.openingBytes = streamFrames.opening
        }
        return workload
    }
}
