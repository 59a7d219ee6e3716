/// Body of `GET /_stats`: the Help Desk's counters since it started.
public struct HelpDeskStats: Codable, Sendable, Hashable {
    /// Requests answered with one status on one route.
    public struct RouteCount: Codable, Sendable, Hashable {
        /// `METHOD /route/{parameter}`, or `METHOD unmatched`.
        public var route: String
        public var status: Int
        public var count: Int

        public init(route: String, status: Int, count: Int) {
            self.route = route
            self.status = status
            self.count = count
        }
    }

    public struct DocumentCounts: Codable, Sendable, Hashable {
        public var submitted: Int
        public var pending: Int
        public var accepted: Int
        public var declined: Int

        public init(submitted: Int = 0, pending: Int = 0, accepted: Int = 0, declined: Int = 0) {
            self.submitted = submitted
            self.pending = pending
            self.accepted = accepted
            self.declined = declined
        }
    }

    public struct DeliveryCounts: Codable, Sendable, Hashable {
        /// Webhook messages created, one per decided document with a callback.
        public var messages = 0
        /// Messages never sent (fault injection).
        public var dropped = 0
        /// HTTP attempts, first sends and retries, duplicates excluded.
        public var attempts = 0
        /// Messages a receiver accepted with 2xx.
        public var delivered = 0
        /// Attempts that failed: a non-2xx answer, a timeout or a transport error.
        public var failedAttempts = 0
        /// Failed attempts that hit the receiver timeout.
        public var timedOut = 0
        /// Messages out of attempts.
        public var deadLettered = 0
        /// Messages stopped by a disabled callback URL: it answered 410, or a give-up rule of the Help Desk fired.
        public var disabled = 0
        /// Extra sends of an already-sent message with the same `webhook-id` (fault injection).
        public var duplicatesSent = 0
        /// Dead-lettered or disabled messages sent again on request (one by one or by a replay).
        public var redeliveriesRequested = 0

        public init() {}
    }

    public struct FaultCounts: Codable, Sendable, Hashable {
        /// Status and event requests answered 429.
        public var rateLimited = 0
        /// Status requests answered 503 on purpose.
        public var statusFailures = 0

        public init() {}
    }

    /// What `GET /events/stream` served.
    public struct StreamCounts: Codable, Sendable, Hashable {
        /// Streams opened (answered 200).
        public var opened = 0
        /// Stream requests refused because too many streams were open (429).
        public var refused = 0
        /// Streams the Help Desk ended on purpose (fault injection), or by shutting down.
        public var closedByServer = 0
        /// Decision events written, over all streams.
        public var eventsSent = 0
        /// Heartbeat comments written on idle streams.
        public var heartbeatsSent = 0
        /// Body bytes written on every stream: events, heartbeats and `retry:` hints.
        public var bytesSent = 0
        /// Streams open now.
        public var open = 0

        public init() {}
    }

    public var requests: [RouteCount]
    /// Request body bytes received.
    public var requestBytes: Int
    /// Response body bytes sent.
    public var responseBytes: Int
    public var documents: DocumentCounts
    public var deliveries: DeliveryCounts
    public var faults: FaultCounts
    public var streams: StreamCounts

    public init(
        requests: [RouteCount],
        requestBytes: Int,
        responseBytes: Int,
        documents: DocumentCounts,
        deliveries: DeliveryCounts,
        faults: FaultCounts,
        streams: StreamCounts = StreamCounts()
    ) {
        self.requests = requests
        self.requestBytes = requestBytes
        self.responseBytes = responseBytes
        self.documents = documents
        self.deliveries = deliveries
        self.faults = faults
        self.streams = streams
    }

    /// Requests answered on `route` with `status`, or with any status when it is `nil`.
    public func requestCount(route: String, status: Int? = nil) -> Int {
        requests.filter { $0.route == route && (status == nil || $0.status == status) }.reduce(0) { $0 + $1.count }
    }
}
