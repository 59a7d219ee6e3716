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
        workload.deliveryFaults = deliveryFaultWorkload(helpDesk)
        workload.readFaults.statusFailureRate = helpDesk.faults.statusFailureRatio
        workload.readFaults.rateLimit = helpDesk.faults.rateLimit.map(\.modelLimit)
        workload.stream.reconnectGap = helpDesk.stream.retryHint
        workload.stream.heartbeat = helpDesk.stream.heartbeat
        workload.stream.closesAfterEvents = helpDesk.faults.closeStreamsAfterEvents
        workload.stream.outages = helpDeskRestarts.map { StreamOutage(at: $0.at, down: $0.down) }
        if let streamFrames {
            workload.stream.eventBytes = streamFrames.event
            workload.stream.heartbeatBytes = streamFrames.heartbeat
            workload.stream.openingBytes = streamFrames.opening
        }
        return workload
    }

    /// The Help Desk's and our receiver's faults on webhooks, as the models price them.
    private func deliveryFaultWorkload(_ helpDesk: HelpDeskConfiguration) -> DeliveryFaultWorkload {
        var faults = DeliveryFaultWorkload()
        faults.duplicateRate = helpDesk.faults.duplicateDeliveryRatio
        faults.maxExtraDelay = helpDesk.faults.maxExtraDeliveryDelay
        faults.timeout = helpDesk.delivery.timeout
        faults.jitter = helpDesk.delivery.jitter
        faults.slowFirstAnswer = receiverFaults.slowFirstAnswer
        if let outage = receiverFaults.outage {
            faults.receiverOutages = [ReceiverOutage(start: outage.start.secondsValue, end: outage.end.secondsValue, announcesEnd: outage.announcesEnd)]
            faults.replayAfterOutage = outage.recoverAfter
        }
        if let outage = storeOutage {
            // Our receiver answers 503 with its fixed Retry-After while the database is unavailable.
            faults.receiverOutages.append(ReceiverOutage(
                start: outage.start.secondsValue, end: outage.end.secondsValue, announcesEnd: false,
                fixedRetryAfter: Double(StoreUnavailable.retryAfterSeconds)
            ))
        }
        return faults
    }
}

extension RateLimit {
    /// The limit as the models see it.
    var modelLimit: ModelRateLimit {
        switch enforcement {
        case .tokenBucket: .tokenBucket(perSecond: requestsPerSecond, burst: burst)
        case .fixedWindow: .fixedWindows(requests: burst, period: window.secondsValue)
        }
    }
}
