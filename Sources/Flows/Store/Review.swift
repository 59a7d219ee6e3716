import Foundation
import GRDB
import HelpDeskAPI

/// One row of `document_reviews`: a document our app asked the Help Desk to review, and where the review stands.
///
/// It is also the JSON our API answers with (camelCase), while the table keeps the tutorial's snake_case columns.
public struct Review: Codable, Sendable, Hashable {
    public var id: Int64?
    public var documentUrl: String
    public var agentId: String
    public var documentId: String
    public var documentStatus: DocumentStatus
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64? = nil,
        documentUrl: String,
        agentId: String,
        documentId: String,
        documentStatus: DocumentStatus,
        createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.documentUrl = documentUrl
        self.agentId = agentId
        self.documentId = documentId
        self.documentStatus = documentStatus
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension Review: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "document_reviews"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public enum Columns {
        public static let id = Column("id")
        public static let documentId = Column("document_id")
        public static let documentStatus = Column("document_status")
        public static let createdAt = Column("created_at")
        public static let updatedAt = Column("updated_at")
    }

    /// Decodes a row by column name, without the `Decodable` machinery: the receiver reads one per verdict.
    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        documentUrl = try row.decode(forColumn: "document_url")
        agentId = try row.decode(forColumn: "agent_id")
        documentId = try row.decode(forColumn: "document_id")
        documentStatus = try row.decode(forColumn: "document_status")
        createdAt = try row.decode(forColumn: "created_at")
        updatedAt = try row.decode(forColumn: "updated_at")
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension DocumentStatus: DatabaseValueConvertible {}
extension CallbackPayloadStyle: DatabaseValueConvertible {}
