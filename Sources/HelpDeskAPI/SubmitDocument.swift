/// Body of `POST /document`: ask the Help Desk to review a document.
public struct SubmitDocumentRequest: Codable, Sendable, Hashable {
    /// Absolute http(s) URL of the document to review.
    public var documentUrl: String
    /// Free-form string pairs echoed back in full webhook payloads, so the receiver can route the verdict itself.
    public var metadata: [String: String]?

    public init(documentUrl: String, metadata: [String: String]? = nil) {
        self.documentUrl = documentUrl
        self.metadata = metadata
    }
}

/// Body of a `201 Created` answer to `POST /document`: the review exists and waits for a human.
public struct SubmitDocumentResponse: Codable, Sendable, Hashable {
    public var agentId: String
    public var documentId: String
    public var documentStatus: DocumentStatus

    public init(agentId: String, documentId: String, documentStatus: DocumentStatus) {
        self.agentId = agentId
        self.documentId = documentId
        self.documentStatus = documentStatus
    }
}
