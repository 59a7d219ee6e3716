import Foundation

/// One decision in the Help Desk's ordered event feed (`GET /events`).
public struct DocumentEvent: Codable, Sendable, Hashable {
    /// The event's cursor: pass it as `after` to read the events that follow it.
    public var id: String
    public var documentId: String
    public var agentId: String
    public var documentStatus: DocumentStatus
    /// The document's version after this event.
    public var version: Int
    /// Wall-clock time of the decision.
    public var occurredAt: Date

    public init(id: String, documentId: String, agentId: String, documentStatus: DocumentStatus, version: Int, occurredAt: Date) {
        self.id = id
        self.documentId = documentId
        self.agentId = agentId
        self.documentStatus = documentStatus
        self.version = version
        self.occurredAt = occurredAt
    }
}

/// Body of `GET /events`: events after the requested cursor, oldest first.
public struct EventPage: Codable, Sendable, Hashable {
    public var events: [DocumentEvent]
    /// The cursor to pass as `after` next time: the last event's id, or the request's cursor when no event followed it.
    public var nextCursor: String

    public init(events: [DocumentEvent], nextCursor: String) {
        self.events = events
        self.nextCursor = nextCursor
    }
}
