import GRDB

/// The schema of our app, as named steps in order. A step never changes once shipped; a new need is a new step.
///
/// The `document_id` index is a step of its own, which a migrator can leave out, so a store can be opened without
/// it and every measurement can be made both ways. A database migrated without it gets it if it is later opened with
/// it; the other way round is refused (see ``SQLiteReviewStore/init(path:indexMode:wallClock:)``).
enum ReviewMigrations {
    static let documentReviews = "v1-document-reviews"
    static let receivedWebhooks = "v2-received-webhooks"
    static let eventCursors = "v3-event-cursors"
    static let earlyVerdicts = "v4-early-verdicts"
    static let thinNotifications = "v5-thin-notifications"
    static let documentIdIndex = "v6-document-id-index"
    static let submissionIntents = "v7-submission-intents"
    static let leases = "v8-leases"

    /// Every step, or every step but the `document_id` index.
    static func migrator(withDocumentIdIndex: Bool = true) -> DatabaseMigrator {
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
        if withDocumentIdIndex {
            migrator.registerMigration(documentIdIndex) { db in
                try db.create(index: "document_reviews_on_document_id", on: "document_reviews", columns: ["document_id"])
            }
        }
        migrator.registerMigration(submissionIntents) { db in
            // Submissions stored before they are sent and deleted when their review row is inserted: one left over
            // after a crash is sent again with the same idempotency key.
            try db.create(table: "submission_intents") { table in
                table.column("key", .text).primaryKey()
                table.column("document_url", .text).notNull()
                table.column("callback_url", .text)
                table.column("callback_style", .text)
                table.column("created_at", .datetime).notNull()
            }
        }
        migrator.registerMigration(leases) { db in
            // Which instance polls which document, and which reads each event feed, until when: several app
            // instances over one database share the work through them.
            try db.create(table: "document_leases") { table in
                table.column("document_id", .text).primaryKey()
                table.column("owner", .text).notNull()
                table.column("expires_at", .datetime).notNull()
            }
            try db.create(index: "document_leases_on_owner", on: "document_leases", columns: ["owner"])
            try db.create(table: "resource_leases") { table in
                table.column("name", .text).primaryKey()
                table.column("owner", .text).notNull()
                table.column("expires_at", .datetime).notNull()
            }
        }
        return migrator
    }
}
