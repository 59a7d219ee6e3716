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
            collection.total("helpdesk_documents_submitted_total", Double(stats.documents.submitted))
            collection.total("helpdesk_documents_decided_total", [("verdict", DocumentStatus.accepted.rawValue)], Double(stats.documents.accepted))
            collection.total("helpdesk_documents_decided_total", [("verdict", DocumentStatus.declined.rawValue)], Double(stats.documents.declined))
            collection.gauge("helpdesk_reviews_pending", Double(pendingReviews))
            collection.total("helpdesk_webhook_messages_total", Double(deliveries.messages))
            collection.total("helpdesk_webhook_attempts_total", Double(deliveries.attempts))
            collection.total("helpdesk_webhook_attempt_failures_total", Double(deliveries.failedAttempts))
            collection.total("helpdesk_webhook_delivered_total", Double(deliveries.delivered))
            collection.total("helpdesk_webhook_dead_lettered_total", Double(deliveries.deadLettered))
            // Requests are counted once, by the counters `GET /_stats` reads too.
            for count in stats.requests {
                collection.total("http_requests_total", [("route", count.route), ("status", String(count.status))], Double(count.count))
                if count.route == "GET /document/{documentId}" {
                    collection.total("helpdesk_status_polls_total", [("status", String(count.status))], Double(count.count))
                }
            }
        }
    }
}
