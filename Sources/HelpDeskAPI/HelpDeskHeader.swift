/// Names of the HTTP headers of the Help Desk contract.
public enum HelpDeskHeader {
    /// On `POST /document`: where to deliver the verdict. Without it the client must poll.
    public static let callbackURL = "X-Callback-Url"
    /// On `POST /document`: `full` (default) or `thin`; see ``CallbackPayloadStyle``.
    public static let callbackPayload = "X-Callback-Payload"
    /// On `POST /document`: makes a retried submission safe; the first answer is replayed for the same key and body.
    public static let idempotencyKey = "X-Idempotency-Key"
    /// On a replayed `POST /document` answer: `true`.
    public static let idempotentReplayed = "Idempotent-Replayed"
    /// Standard Webhooks: the message id, the same on every attempt.
    public static let webhookID = "webhook-id"
    /// Standard Webhooks: Unix seconds, wall clock, when the attempt was signed.
    public static let webhookTimestamp = "webhook-timestamp"
    /// Standard Webhooks: space-separated `v1,<base64 HMAC-SHA256>` signatures.
    public static let webhookSignature = "webhook-signature"
    /// On `GET /events/stream`: the id of the last event the client has, so the stream resumes right after it.
    public static let lastEventID = "Last-Event-ID"
}

/// What a webhook body carries.
public enum CallbackPayloadStyle: String, Codable, Sendable, CaseIterable {
    /// ``WebhookPayload``: the verdict and the echoed metadata.
    case full
    /// ``ThinWebhookPayload``: the document id only; the receiver fetches the state.
    case thin
}
