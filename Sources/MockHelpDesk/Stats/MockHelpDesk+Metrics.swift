import HelpDeskAPI
import ServerSupport

extension MockHelpDesk {
    /// The Help Desk's Prometheus metrics, served as `GET /metrics`: requests by route and status, webhook
    /// messages, attempts, failures, deliveries, dead letters and retries scheduled, the latency from a decision to
    /// its webhook's 2xx, status polls by answer (200, 304, 429), documents, and the reviews pending now.
    public var metrics: ServerMetrics { counters.metrics }

    func collectMetrics() {
        metrics.collect { [weak self] collection in
            guard let self else { return }
            let stats = stats()
            let deliveries = stats.deliveries
            collection.total(.documentsSubmitted, Double(stats.documents.submitted))
            collection.total(.documentsDecided, [("verdict", DocumentStatus.accepted.rawValue)], Double(stats.documents.accepted))
            collection.total(.documentsDecided, [("verdict", DocumentStatus.declined.rawValue)], Double(stats.documents.declined))
            collection.gauge(.reviewsPending, Double(pendingReviews))
            collection.total(.webhookMessages, Double(deliveries.messages))
            collection.total(.webhookAttempts, Double(deliveries.attempts))
            collection.total(.webhookAttemptFailures, Double(deliveries.failedAttempts))
            collection.total(.webhooksDelivered, Double(deliveries.delivered))
            collection.total(.webhooksDeadLettered, Double(deliveries.deadLettered))
            // Requests are counted once, by the counters `GET /_stats` reads too.
            for count in stats.requests {
                collection.total(.httpRequests, [("route", count.route), ("status", String(count.status))], Double(count.count))
                if count.route == "GET /document/{documentId}" {
                    collection.total(.statusPolls, [("status", String(count.status))], Double(count.count))
                }
            }
        }
    }
}

/// The Help Desk's metrics, each with its help text.
extension MetricName {
    static let documentsSubmitted = MetricName("helpdesk_documents_submitted_total", help: "Documents submitted for review.")
    static let documentsDecided = MetricName("helpdesk_documents_decided_total", help: "Reviews decided, by verdict.")
    static let reviewsPending = MetricName("helpdesk_reviews_pending", help: "Reviews not decided yet.")
    static let webhookMessages = MetricName("helpdesk_webhook_messages_total", help: "Webhook messages made, one per decided document with a callback.")
    static let webhookAttempts = MetricName("helpdesk_webhook_attempts_total", help: "Webhook delivery attempts, first sends and retries.")
    static let webhookAttemptFailures = MetricName("helpdesk_webhook_attempt_failures_total", help: "Webhook delivery attempts that did not get a 2xx answer.")
    static let webhooksDelivered = MetricName("helpdesk_webhook_delivered_total", help: "Webhook messages delivered (answered 2xx).")
    static let webhooksDeadLettered = MetricName("helpdesk_webhook_dead_lettered_total", help: "Webhook messages whose attempts ran out.")
    static let webhookRetriesScheduled = MetricName("helpdesk_webhook_retries_scheduled_total", help: "Webhook retries put on the schedule after a failed attempt.")
    static let webhookDeliveryLatency = MetricName(
        "helpdesk_webhook_delivery_latency_seconds", help: "Seconds from a document's decision to its webhook's 2xx answer (model time)."
    )
    static let statusPolls = MetricName("helpdesk_status_polls_total", help: "Status polls (GET /document/{documentId}) answered, by status.")
}
