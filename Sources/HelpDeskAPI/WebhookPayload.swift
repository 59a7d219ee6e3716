/// Body of a full webhook: the verdict itself, with the submitter's metadata echoed back.
public struct WebhookPayload: Codable, Sendable, Hashable {
    public var agentId: String
    public var documentId: String
    public var documentStatus: DocumentStatus
    public var metadata: [String: String]?

    public init(agentId: String, documentId: String, documentStatus: DocumentStatus, metadata: [String: String]? = nil) {
        self.agentId = agentId
        self.documentId = documentId
        self.documentStatus = documentStatus
        self.metadata = metadata
    }
}

/// Body of a thin webhook: only which document changed; the receiver fetches its state with `GET /document/{id}`.
public struct ThinWebhookPayload: Codable, Sendable, Hashable {
    public var documentId: String

    public init(documentId: String) {
        self.documentId = documentId
    }
}
