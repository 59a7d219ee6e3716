import GRDB

/// The schema of our app, as named steps in order. A step never changes once shipped; a new need is a new step.
///
/// The `document_id` index is a step of its own and the last one, so a store can be opened without it
/// (migrated up to the step before) and every measurement can be made both ways.
enum ReviewMigrations {
    static let documentReviews = "v1-document-reviews"
    static let receivedWebhooks = "v2-received-webhooks"
    static let eventCursors = "v3-event-cursors"
    static let earlyVerdicts = "v4-early-verdicts"
    static let thinNotifications = "v5-thin-notifications"
    static let documentIdIndex = "v6-document-id-index"

    /// The last step a store without the index is migrated to.
    static let lastStepWithoutIndex = thinNotifications

    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(documentReviews) { db in
            // The reference tutorial's table, column for column.
            try db.create(table: "document_reviews") { table in
                table.column("id", .integer).primaryKey()
                table.column("document_url", .text).notNull()
                table.column("agent_id", .text)
                table.column("document_id", .text)
                table.column("document_status", .text).notNull()
                table.column("created_at", .datetime).notNull()
                table.column("updated_at", .datetime).notNull()
            }
        }
        migrator.registerMigration(receivedWebhooks) { db in
            // Every webhook-id applied, so a redelivery changes nothing.
            try db.create(table: "received_webhooks") { table in
                table.column("webhook_id", .text).primaryKey()
                table.column("document_id", .text).notNull()
                table.column("received_at", .datetime).notNull()
            }
        }
        migrator.registerMigration(eventCursors) { db in
            // Where each event-feed reader stopped, so a restart resumes there.
            try db.create(table: "event_cursors") { table in
                table.column("name", .text).primaryKey()
                table.column("cursor", .text).notNull()
                table.column("updated_at", .datetime).notNull()
            }
        }
        migrator.registerMigration(earlyVerdicts) { db in
            // Verdicts that arrived before their review row was inserted.
            try db.create(table: "early_verdicts") { table in
                table.column("document_id", .text).primaryKey()
                table.column("document_status", .text).notNull()
                table.column("received_at", .datetime).notNull()
            }
        }
        migrator.registerMigration(thinNotifications) { db in
            // Thin webhooks whose document state has not been fetched yet.
            try db.create(table: "thin_notifications") { table in
                table.column("document_id", .text).primaryKey()
                table.column("received_at", .datetime).notNull()
            }
        }
        migrator.registerMigration(documentIdIndex) { db in
            try db.create(index: "document_reviews_on_document_id", on: "document_reviews", columns: ["document_id"])
        }
        return migrator
    }
}
