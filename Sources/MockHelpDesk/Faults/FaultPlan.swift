import SimulationSupport

/// The faults planned for one webhook message.
public struct DeliveryFaults: Sendable, Hashable {
    /// Never send it.
    public var drop: Bool
    /// Send it once more, with the same `webhook-id`.
    public var duplicate: Bool
    /// Added before the first send.
    public var firstSendDelay: Duration
    /// Added before the duplicate's send.
    public var duplicateDelay: Duration
}

/// Seeded fault decisions: the n-th message or status request meets the same fault for the same seed, whatever
/// the order in which concurrent work reaches it.
public struct FaultPlan: Sendable {
    public let seed: UInt64
    public let configuration: FaultConfiguration

    public init(seed: UInt64, configuration: FaultConfiguration) {
        self.seed = seed
        self.configuration = configuration
    }

    /// The faults of the `ordinal`-th webhook message (0-based).
    public func deliveryFaults(forMessage ordinal: UInt64) -> DeliveryFaults {
        var random = SeededGenerator(seed: seed, stream: "delivery-fault", index: ordinal)
        // Every draw is taken whatever the configuration, so changing one ratio never moves another fault.
        let drop = random.nextUnit() < configuration.dropWebhookRatio
        let duplicate = random.nextUnit() < configuration.duplicateDeliveryRatio
        let firstSendDelay = configuration.maxExtraDeliveryDelay * random.nextUnit()
        let duplicateDelay = configuration.maxExtraDeliveryDelay * random.nextUnit()
        return DeliveryFaults(drop: drop, duplicate: duplicate, firstSendDelay: firstSendDelay, duplicateDelay: duplicateDelay)
    }

    /// Whether the `ordinal`-th status request (0-based) is answered 503.
    public func failsStatusRequest(_ ordinal: UInt64) -> Bool {
        var random = SeededGenerator(seed: seed, stream: "status-fault", index: ordinal)
        return random.nextUnit() < configuration.statusFailureRatio
    }
}
