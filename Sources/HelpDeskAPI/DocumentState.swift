import Foundation

/// Body of `GET /document/{documentId}`: the current state of one review.
public struct DocumentState: Codable, Sendable, Hashable {
    public var documentId: String
    public var agentId: String
    public var documentStatus: DocumentStatus
    /// Starts at 1 and grows by one with every change; the `ETag` is derived from it.
    public var version: Int
    /// Wall-clock time of the last change.
    public var updatedAt: Date

    public init(documentId: String, agentId: String, documentStatus: DocumentStatus, version: Int, updatedAt: Date) {
        self.documentId = documentId
        self.agentId = agentId
        self.documentStatus = documentStatus
        self.version = version
        self.updatedAt = updatedAt
    }
}
