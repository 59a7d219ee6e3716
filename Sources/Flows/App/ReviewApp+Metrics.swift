import ServerSupport

extension ReviewApp {
    /// Our app's metrics: polls counted as they are sent, verdicts and statements read at each scrape.
    func collectMetrics() {
        polls.add { [metrics] _ in metrics.increment(.statusPollsSent) }
        metrics.collect { [ledger, store] collection in
            let counts = ledger.snapshot
            for (outcome, count) in [
                ("applied", counts.applied), ("already_applied", counts.alreadyApplied), ("duplicate", counts.duplicatesSuppressed),
                ("conflict", counts.conflicts), ("parked", counts.parked),
            ] {
                collection.total(.verdicts, [("outcome", outcome)], Double(count))
            }
            if let measured = store as? any StoreMeasurement {
                let statistics = measured.statementStatistics()
                collection.total(.databaseStatements, Double(statistics.statements))
                collection.total(.databaseStatementTime, statistics.totalDuration.secondsValue)
            }
        }
    }
}

/// Our app's metrics, each with its help text.
extension MetricName {
    static let statusPollsSent = MetricName("flows_status_polls_total", help: "Status polls our pollers sent.")
    static let verdicts = MetricName("flows_verdicts_total", help: "Verdicts learned, by what became of them.")
    static let databaseStatements = MetricName("flows_db_statements_total", help: "Statements our database ran.")
    static let databaseStatementTime = MetricName("flows_db_statement_seconds_total", help: "Seconds our database spent running statements.")
}
