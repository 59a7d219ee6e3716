import Foundation
import GRDB
import HelpDeskAPI

/// A `webhook-id` already applied.
struct ReceivedWebhook: Codable, PersistableRecord, FetchableRecord {
    static let databaseTableName = "received_webhooks"
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    var webhookId: String
    var documentId: String
    var receivedAt: Date
}

/// Where an event-feed reader stopped.
struct EventCursorRecord: Codable, PersistableRecord, FetchableRecord {
    static let databaseTableName = "event_cursors"
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    var name: String
    var cursor: String
    var updatedAt: Date
}

/// A verdict that arrived before its review row.
struct EarlyVerdict: Codable, PersistableRecord, FetchableRecord {
    static let databaseTableName = "early_verdicts"
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    var documentId: String
    var documentStatus: DocumentStatus
    var receivedAt: Date
}

/// A thin webhook whose document state is still to be fetched.
struct ThinNotification: Codable, PersistableRecord, FetchableRecord {
    static let databaseTableName = "thin_notifications"
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    var documentId: String
    var receivedAt: Date

    enum Columns {
        static let receivedAt = Column("received_at")
    }
}
