import Foundation

/// Where a webhook message stands.
public enum DeliveryStatus: String, Codable, Sendable, CaseIterable, Hashable {
    /// Waiting for its first attempt or a retry.
    case pending
    /// A receiver answered 2xx.
    case delivered
    /// Every scheduled attempt failed: dead-lettered, and can be retried on request.
    case failed
    /// The callback URL answered 410 Gone, so nothing more is sent to it.
    case disabled
    /// Never sent: dropped by fault injection.
    case dropped
}

/// One HTTP attempt to deliver a webhook.
public struct DeliveryAttempt: Codable, Sendable, Hashable {
    /// 1 for the first attempt.
    public var number: Int
    /// Wall-clock time the attempt started.
    public var startedAt: Date
    /// The receiver's HTTP status, if it answered.
    public var statusCode: Int?
    /// Why the attempt failed without an HTTP status (`timeout`, a transport error).
    public var error: String?
    /// Wall-clock duration of the attempt in milliseconds.
    public var durationMs: Double

    public init(number: Int, startedAt: Date, statusCode: Int?, error: String?, durationMs: Double) {
        self.number = number
        self.startedAt = startedAt
        self.statusCode = statusCode
        self.error = error
        self.durationMs = durationMs
    }
}

/// A webhook message and the log of its attempts (`GET /deliveries`).
public struct Delivery: Codable, Sendable, Hashable {
    public var id: String
    /// The `webhook-id` header: the same on every attempt and duplicate of this message.
    public var webhookId: String
    public var documentId: String
    public var callbackUrl: String
    public var status: DeliveryStatus
    public var attempts: [DeliveryAttempt]

    public init(
        id: String,
        webhookId: String,
        documentId: String,
        callbackUrl: String,
        status: DeliveryStatus,
        attempts: [DeliveryAttempt]
    ) {
        self.id = id
        self.webhookId = webhookId
        self.documentId = documentId
        self.callbackUrl = callbackUrl
        self.status = status
        self.attempts = attempts
    }
}

/// Body of `GET /deliveries`.
public struct DeliveryList: Codable, Sendable, Hashable {
    public var deliveries: [Delivery]

    public init(deliveries: [Delivery]) {
        self.deliveries = deliveries
    }
}
