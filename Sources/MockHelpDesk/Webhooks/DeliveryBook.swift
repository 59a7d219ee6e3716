import Foundation
import HelpDeskAPI
import ServerSupport
import SimulationSupport

/// The record of every webhook message and attempt: a state machine with no I/O.
///
/// A message is `pending` until an attempt succeeds (`delivered`), its callback URL is disabled (`disabled`: it
/// answered 410, or a give-up rule of ``EndpointPolicy`` fired), or its attempts run out (`failed`, dead-lettered).
/// A failed or disabled message can be sent again on request (one, or a replay of all since a time), starting the
/// schedule over, once its endpoint is enabled.
struct DeliveryBook: Sendable {
    struct Message: Sendable {
        var webhookId: String
        var documentId: String
        var callbackURL: URL
        var body: Data
    }

    /// One attempt handed to the dispatcher.
    struct Ticket: Sendable {
        var deliveryId: String
        var ordinal: UInt64
        /// Number of the attempt over the message's whole life.
        var attemptNumber: Int
        var message: Message
    }

    enum Start: Sendable {
        case send(Ticket)
        /// The callback URL was disabled since the attempt was scheduled; the message is now `disabled`.
        case disabled
        /// The endpoint's circuit breaker is open: try again then, the attempt not used up.
        case wait(until: SimulationClock.Instant)
        /// The message is no longer pending.
        case skip
    }

    enum Next: Sendable, Hashable {
        case delivered
        case retry(at: SimulationClock.Instant)
        case deadLettered
        case disabled
    }

    /// One message and its attempts, compactly: a run keeps every message it ever sent.
    private struct Record: Sendable {
        var webhookId: HexIdentifier
        var documentId: HexIdentifier
        var callbackURL: URL
        var body: Data
        var status: DeliveryStatus
        /// The first attempt inline; the few retries in an array.
        var firstAttempt: CompactAttempt?
        var laterAttempts: [CompactAttempt] = []
        /// Attempts since the schedule last started (it restarts on a requested redelivery).
        var seriesAttempts: Int32 = 0
        /// A duplicate send (fault injection) is still to come, so the body is still needed.
        var duplicatePending = false
        /// When the message was created (its document decided), wall-clock seconds since 1970.
        var createdAt: Double

        init(_ message: Message, status: DeliveryStatus, createdAt: Date) {
            self.createdAt = createdAt.timeIntervalSince1970
            webhookId = HexIdentifier(message.webhookId, prefix: "msg_")
            documentId = HexIdentifier(message.documentId, prefix: "doc_")
            callbackURL = message.callbackURL
            body = message.body
            self.status = status
        }

        var message: Message {
            Message(webhookId: webhookId.text(prefix: "msg_"), documentId: documentId.text(prefix: "doc_"), callbackURL: callbackURL, body: body)
        }

        var attemptCount: Int { (firstAttempt == nil ? 0 : 1) + laterAttempts.count }

        mutating func append(_ attempt: DeliveryAttempt) {
            if firstAttempt == nil { firstAttempt = CompactAttempt(attempt) } else { laterAttempts.append(CompactAttempt(attempt)) }
        }

        /// Drops the body once nothing can send the message again: delivered, no duplicate to come. A dead-lettered
        /// or disabled message keeps it for a replay.
        mutating func releaseBodyIfDone() {
            guard !duplicatePending, status == .delivered else { return }
            body = Data()
        }

        func delivery(id: String) -> Delivery {
            let attempts = ([firstAttempt].compactMap { $0 } + laterAttempts).enumerated().map { $1.attempt(number: $0 + 1) }
            return Delivery(
                id: id,
                webhookId: webhookId.text(prefix: "msg_"),
                documentId: documentId.text(prefix: "doc_"),
                callbackUrl: callbackURL.absoluteString,
                status: status,
                attempts: attempts
            )
        }
    }

    let schedule: RetrySchedule
    let jitter: Double
    let policy: EndpointPolicy
    /// Message n (1-based, `dlv_<n>`) is `records[n - 1]`.
    private var records: [Record] = []
    /// Every callback URL sent to, by its text.
    private var endpoints: [String: EndpointState] = [:]

    init(schedule: RetrySchedule, jitter: Double, policy: EndpointPolicy = EndpointPolicy()) {
        self.schedule = schedule
        self.jitter = jitter
        self.policy = policy
    }

    /// The index of `dlv_<n>` in `records`, if it names a message.
    private func index(_ id: String) -> Int? {
        guard id.hasPrefix("dlv_"), let number = Int(id.dropFirst(4)), number >= 1, number <= records.count else { return nil }
        return number - 1
    }

    /// Records a new message, `pending` or, when fault injection drops it, `dropped`.
    /// - Parameter createdAt: When its document was decided, wall clock: what a replay's `since` is compared with.
    mutating func add(_ message: Message, dropped: Bool, createdAt: Date = Date(timeIntervalSince1970: 0)) -> (id: String, ordinal: UInt64) {
        let ordinal = UInt64(records.count)
        records.append(Record(message, status: dropped ? .dropped : .pending, createdAt: createdAt))
        if !dropped, endpoints[message.callbackURL.absoluteString] == nil { endpoints[message.callbackURL.absoluteString] = EndpointState() }
        return ("dlv_\(ordinal + 1)", ordinal)
    }

    /// Messages recorded so far.
    var count: Int { records.count }

    func message(_ id: String) -> Message? {
        index(id).map { records[$0].message }
    }

    /// Notes that a duplicate send of the message is scheduled.
    mutating func expectDuplicate(_ id: String) {
        guard let index = index(id) else { return }
        records[index].duplicatePending = true
    }

    /// The message for its scheduled duplicate send; the body is dropped after if the message is done.
    mutating func takeDuplicate(_ id: String) -> Message? {
        guard let index = index(id) else { return nil }
        let message = records[index].message
        records[index].duplicatePending = false
        records[index].releaseBodyIfDone()
        return message
    }

    mutating func startAttempt(_ id: String, now: SimulationClock.Instant) -> Start {
        guard let index = index(id), records[index].status == .pending else { return .skip }
        let url = records[index].callbackURL.absoluteString
        if endpoints[url]?.status == .disabled {
            records[index].status = .disabled
            return .disabled
        }
        if let until = endpoints[url]?.resumeTime(at: now) { return .wait(until: until) }
        let record = records[index]
        return .send(Ticket(deliveryId: id, ordinal: UInt64(index), attemptNumber: record.attemptCount + 1, message: record.message))
    }

    /// Logs an attempt and decides what follows it.
    /// - Parameters:
    ///   - now: When the attempt ended; a retry is scheduled from here.
    ///   - jitterUnit: A uniform draw in `[0, 1)` for the retry's jitter.
    mutating func finish(
        _ ticket: Ticket,
        attempt: DeliveryAttempt,
        verdict: AttemptVerdict,
        now: SimulationClock.Instant,
        jitterUnit: Double
    ) -> Next {
        guard let index = index(ticket.deliveryId) else { return .deadLettered }
        var record = records[index]
        record.append(attempt)
        record.seriesAttempts += 1
        defer {
            record.releaseBodyIfDone()
            records[index] = record
        }
        let url = record.callbackURL.absoluteString
        switch verdict {
        case .delivered:
            _ = endpoints[url, default: EndpointState()].record(failed: false, at: now, policy: policy)
            record.status = .delivered
            return .delivered
        case .gone:
            endpoints[url, default: EndpointState()].gone(at: now)
            record.status = .disabled
            return .disabled
        case .retry(let notBefore):
            if endpoints[url, default: EndpointState()].record(failed: true, at: now, policy: policy) {
                record.status = .disabled
                return .disabled
            }
            let next = Int(record.seriesAttempts) + 1
            guard let scheduled = schedule.delay(beforeAttempt: next, jitter: jitter, unit: jitterUnit) else {
                record.status = .failed
                return .deadLettered
            }
            let delay = notBefore.map { min($0, schedule.longestDelay) } ?? scheduled
            return .retry(at: now.advanced(by: delay))
        }
    }

    /// Puts a dead-lettered or disabled message back in line, its schedule started over.
    mutating func requestRedelivery(_ id: String) throws(APIError) -> Delivery {
        guard let index = index(id) else {
            throw APIError(.notFound, "no delivery with id \(id.prefix(64))", field: "id")
        }
        guard Self.replayable.contains(records[index].status) else {
            throw APIError(.conflict, "only failed or disabled deliveries can be retried; this one is \(records[index].status.rawValue)", field: "id")
        }
        try requireEnabled(records[index].callbackURL.absoluteString, field: "id")
        requeue(index)
        return records[index].delivery(id: id)
    }

    /// Puts back in line every failed or disabled message created at or after `since`, optionally only those for
    /// `url`; messages pending, delivered or dropped are left as they are, so a replay made twice sends nothing twice.
    /// - Returns: The ids of the messages put back, oldest first.
    mutating func replay(since: Date, url: String?) throws(APIError) -> [String] {
        if let url, endpoints[url] == nil {
            throw APIError(.notFound, "no webhook was ever sent to \(url.prefix(200))", field: "url")
        }
        let since = since.timeIntervalSince1970
        let chosen = records.indices.filter { index in
            let record = records[index]
            return Self.replayable.contains(record.status) && record.createdAt >= since
                && (url == nil || record.callbackURL.absoluteString == url)
        }
        for target in Set(chosen.map { records[$0].callbackURL.absoluteString }).sorted() {
            try requireEnabled(target, field: url == nil ? "since" : "url")
        }
        chosen.forEach { requeue($0) }
        return chosen.map { "dlv_\($0 + 1)" }
    }

    private static let replayable: Set<DeliveryStatus> = [.failed, .disabled]

    private mutating func requeue(_ index: Int) {
        records[index].status = .pending
        records[index].seriesAttempts = 0
    }

    private func requireEnabled(_ url: String, field: String) throws(APIError) {
        guard endpoints[url]?.status != .disabled else {
            throw APIError(.conflict, "the endpoint \(url.prefix(200)) is disabled: enable it first (POST /endpoints/enable)", field: field)
        }
    }

    /// Enables a callback URL again, its failures forgotten; its disabled messages stay so until replayed.
    mutating func enable(_ url: String, now: SimulationClock.Instant) throws(APIError) {
        guard endpoints[url] != nil else {
            throw APIError(.notFound, "no webhook was ever sent to \(url.prefix(200))", field: "url")
        }
        endpoints[url]?.enable(at: now)
    }

    /// Every callback URL sent to, in the order of their text.
    func endpointList(date: (SimulationClock.Instant) -> Date) -> [Endpoint] {
        endpoints.keys.sorted().map { endpoints[$0]!.endpoint(url: $0, date: date) }
    }

    /// A callback URL's status, if anything was ever sent to it.
    func endpointStatus(_ url: String) -> EndpointStatus? {
        endpoints[url]?.status
    }

    /// Messages in creation order, optionally only those in one state.
    func deliveries(status: DeliveryStatus?, limit: Int) -> [Delivery] {
        var result: [Delivery] = []
        for (index, record) in records.enumerated() where result.count < limit {
            guard status == nil || record.status == status else { continue }
            result.append(record.delivery(id: "dlv_\(index + 1)"))
        }
        return result
    }

    func delivery(_ id: String) -> Delivery? {
        index(id).map { records[$0].delivery(id: id) }
    }
}

/// A delivery attempt in a quarter of the bytes of ``DeliveryAttempt``; its number is its place in the record.
private struct CompactAttempt: Sendable {
    var startedAt: Double
    var durationMs: Float
    /// -1 when the receiver did not answer.
    var statusCode: Int16
    var error: String?

    init(_ attempt: DeliveryAttempt) {
        startedAt = attempt.startedAt.timeIntervalSince1970
        durationMs = Float(attempt.durationMs)
        statusCode = attempt.statusCode.map { Int16(clamping: $0) } ?? -1
        error = attempt.error
    }

    func attempt(number: Int) -> DeliveryAttempt {
        DeliveryAttempt(
            number: number,
            startedAt: Date(timeIntervalSince1970: startedAt),
            statusCode: statusCode >= 0 ? Int(statusCode) : nil,
            error: error,
            durationMs: Double(durationMs)
        )
    }
}
