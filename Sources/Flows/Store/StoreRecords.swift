import Foundation
import GRDB
import HelpDeskAPI

/// A record whose camelCase properties are stored in snake_case columns.
protocol SnakeCaseRecord: Codable, PersistableRecord, FetchableRecord {}

extension SnakeCaseRecord {
    static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }
    static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
}

/// Where an event-feed reader stopped.
struct EventCursorRecord: SnakeCaseRecord {
    static let databaseTableName = "event_cursors"
    var name: String
    var cursor: String
    var updatedAt: Date
}

/// A thin webhook whose document state is still to be fetched.
struct ThinNotification: SnakeCaseRecord {
    static let databaseTableName = "thin_notifications"
    var documentId: String
    var receivedAt: Date

    enum Columns {
        static let receivedAt = Column("received_at")
    }
}

/// A submission stored before it is sent (see ``SubmissionIntent``).
struct SubmissionIntentRecord: SnakeCaseRecord {
    static let databaseTableName = "submission_intents"
    var key: String
    var documentUrl: String
    var callbackUrl: String?
    var callbackStyle: CallbackPayloadStyle?
    var createdAt: Date

    enum Columns {
        static let createdAt = Column("created_at")
    }

    init(_ intent: SubmissionIntent, createdAt: Date) {
        key = intent.key
        documentUrl = intent.documentUrl
        callbackUrl = intent.callbackURL
        callbackStyle = intent.callbackStyle
        self.createdAt = createdAt
    }

    var intent: SubmissionIntent {
        SubmissionIntent(key: key, documentUrl: documentUrl, callbackURL: callbackUrl, callbackStyle: callbackStyle)
    }
}
