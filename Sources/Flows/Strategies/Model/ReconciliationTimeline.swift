/// The hybrid's sweeps followed tick by tick over each document's webhook timeline: a sweep every R from the start,
/// which, when some row submitted at least T ago is still undecided in our database, reads the event feed (one page
/// per 100 decisions, plus the page that comes back short) and applies every decision the Help Desk had made when the
/// read reached it, a network delay before. A document is known at the earlier of its webhook and that read's return.
public struct ReconciliationTimeline: Sendable {
    public struct Document: Sendable, Hashable {
        public var decidedAt: Double
        /// When its verdict reached our row, or `nil` if it never did.
        public var knownAt: Double?
        /// Whether a sweep's read brought it rather than a webhook.
        public var reconciled: Bool
    }

    public let documents: [Document]
    /// Feed reads made, and those that found nothing new.
    public let reads: Int
    public let emptyReads: Int
    public let webhooks: DeliveryTimeline

    public init(_ webhooks: DeliveryTimeline, workload: ModelWorkload, sweep: Duration, staleAfter: Duration) {
        self.webhooks = webhooks
        let network = workload.networkDelay
        let (period, stale) = (sweep.secondsValue, staleAfter.secondsValue)
        let submitted = workload.submissionInstants(count: webhooks.documents.count)
        var documents = webhooks.documents.map { Document(decidedAt: $0.decidedAt, knownAt: $0.appliedAt, reconciled: false) }
        // Rows by submission, and decisions by instant, each walked once as the ticks go by.
        let bySubmission = submitted.indices.sorted { submitted[$0] < submitted[$1] }
        let byDecision = documents.indices.sorted { documents[$0].decidedAt < documents[$1].decidedAt }
        var (oldest, nextDecision) = (0, 0)
        var (reads, emptyReads) = (0, 0)
        // Sweeps go on until every decision is known: the run's drain waits for them too.
        let end = max(workload.window.secondsValue, documents.map { $0.knownAt ?? $0.decidedAt }.max() ?? 0, (submitted.max() ?? 0) + stale)
        var tick = period
        while tick <= end + period, period > 0 {
            defer { tick += period }
            // The oldest row still undecided in our database at this tick.
            while oldest < bySubmission.count, let known = documents[bySubmission[oldest]].knownAt, known <= tick { oldest += 1 }
            guard oldest < bySubmission.count, submitted[bySubmission[oldest]] <= tick - stale else { continue }
            let reached = tick + network
            var found = 0
            while nextDecision < byDecision.count, documents[byDecision[nextDecision]].decidedAt <= reached {
                let index = byDecision[nextDecision]
                if (documents[index].knownAt ?? .infinity) > reached + network {
                    documents[index].knownAt = reached + network
                    documents[index].reconciled = true
                }
                found += 1
                nextDecision += 1
            }
            reads += found / EventFeedReader.pageSize + 1
            if found == 0 { emptyReads += 1 }
        }
        self.documents = documents
        self.reads = reads
        self.emptyReads = emptyReads
    }

    /// The model of `hybrid` over the replications of the webhooks' timeline.
    static func model(_ workload: ModelWorkload, sweep: Duration, staleAfter: Duration) -> StrategyModel {
        let timelines = DeliveryTimeline.replications(workload).map { ReconciliationTimeline($0, workload: workload, sweep: sweep, staleAfter: staleAfter) }
        let documents = timelines.flatMap(\.documents)
        let count = Double(max(documents.count, 1))
        let latencies = documents.compactMap { document in document.knownAt.map { $0 - document.decidedAt } }
        let attempts = Double(timelines.reduce(0) { $0 + $1.webhooks.deliveries })
        let (reads, emptyReads) = (Double(timelines.reduce(0) { $0 + $1.reads }), Double(timelines.reduce(0) { $0 + $1.emptyReads }))
        let byWebhook = Double(documents.filter { $0.knownAt != nil && !$0.reconciled }.count)
        let reconciled = Double(documents.filter(\.reconciled).count)
        return StrategyModel(
            latency: latencies.isEmpty ? .immediate : LatencyModel(points: latencies.sorted()),
            requestsPerDocument: 1 + (attempts + reads) / count,
            wastedRequestsPerDocument: (attempts - byWebhook + emptyReads) / count,
            writesPerDocument: StrategyModel.submissionWrites + (byWebhook + reconciled) / count,
            deliveriesPerDocument: attempts / count,
            lostShare: 1 - Double(latencies.count) / count
        )
    }
}
