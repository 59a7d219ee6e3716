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

    /// One message and its attempts, compactly (80 bytes, no string or object of its own): a run keeps every message
    /// it ever sent. Ids of the usual `msg_`/`doc_` + 16 hex digits form are kept as their numbers (others in
    /// `irregularIds`), the callback URL and attempt errors as indexes into tables of the distinct values.
    private struct Record: Sendable {
        var webhookKey: UInt64
        var documentKey: UInt64
        var body: Data
        /// When the message was created (its document decided), wall-clock seconds since 1970.
        var createdAt: Double
        /// The few retries; the first attempt is inline.
        var laterAttempts: [CompactAttempt] = []
        /// Index into `DeliveryBook.urls`.
        var callback: Int32
        /// Attempts since the schedule last started (it restarts on a requested redelivery).
        var seriesAttempts: Int32 = 0
        var firstAttempt: CompactAttempt?
        var status: DeliveryStatus
        /// A duplicate send (fault injection) is still to come, so the body is still needed.
        var duplicatePending = false

        var attemptCount: Int { (firstAttempt == nil ? 0 : 1) + laterAttempts.count }

        mutating func append(_ attempt: CompactAttempt) {
            if firstAttempt == nil { firstAttempt = attempt } else { laterAttempts.append(attempt) }
        }

        /// Drops the body once nothing can send the message again: delivered, no duplicate to come. A dead-lettered
        /// or disabled message keeps it for a replay.
        mutating func releaseBodyIfDone() {
            guard !duplicatePending, status == .delivered else { return }
            body = Data()
        }
    }

    let schedule: RetrySchedule
    let jitter: Double
    let policy: EndpointPolicy
    /// Message n (1-based, `dlv_<n>`) is `records[n - 1]`.
    private var records: [Record] = []
    /// The ids of messages whose webhook or document id is not of the usual form, by index in `records`.
    private var irregularIds: [Int: (webhookId: String, documentId: String)] = [:]
    /// Every distinct callback URL and attempt error, named by index.
    private var urls = InternedValues<URL>()
    private var errors = InternedValues<String>()
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
        let webhookKey = HexIdentifier.number(in: message.webhookId, prefix: "msg_")
        let documentKey = HexIdentifier.number(in: message.documentId, prefix: "doc_")
        if webhookKey == nil || documentKey == nil { irregularIds[records.count] = (message.webhookId, message.documentId) }
        records.append(
            Record(
                webhookKey: webhookKey ?? 0,
                documentKey: documentKey ?? 0,
                body: message.body,
                createdAt: createdAt.timeIntervalSince1970,
                callback: Int32(urls.index(of: message.callbackURL)),
                status: dropped ? .dropped : .pending
            )
        )
        if !dropped, endpoints[message.callbackURL.absoluteString] == nil { endpoints[message.callbackURL.absoluteString] = EndpointState() }
        return ("dlv_\(ordinal + 1)", ordinal)
    }

    private func ids(_ index: Int) -> (webhookId: String, documentId: String) {
        if let ids = irregularIds[index] { return ids }
        return ("msg_" + ReviewPlan.hex(records[index].webhookKey), "doc_" + ReviewPlan.hex(records[index].documentKey))
    }

    private func callbackURL(_ index: Int) -> URL {
        urls[Int(records[index].callback)]
    }

    private func message(at index: Int) -> Message {
        let (webhookId, documentId) = ids(index)
        return Message(webhookId: webhookId, documentId: documentId, callbackURL: callbackURL(index), body: records[index].body)
    }

    private func delivery(at index: Int) -> Delivery {
        let record = records[index]
        let attempts = ([record.firstAttempt].compactMap { $0 } + record.laterAttempts).enumerated().map { number, attempt in
            attempt.attempt(number: number + 1, error: attempt.error >= 0 ? errors[Int(attempt.error)] : nil)
        }
        let (webhookId, documentId) = ids(index)
        return Delivery(
            id: "dlv_\(index + 1)",
            webhookId: webhookId,
            documentId: documentId,
            callbackUrl: callbackURL(index).absoluteString,
            status: record.status,
            attempts: attempts
        )
    }

    /// Messages recorded so far.
    var count: Int { records.count }

    /// When a message was made (its document decided), wall clock.
    func createdAt(_ id: String) -> Date? {
        index(id).map { Date(timeIntervalSince1970: records[$0].createdAt) }
    }

    func message(_ id: String) -> Message? {
        index(id).map { message(at: $0) }
    }

    /// Notes that a duplicate send of the message is scheduled.
    mutating func expectDuplicate(_ id: String) {
        guard let index = index(id) else { return }
        records[index].duplicatePending = true
    }

    /// The message for its scheduled duplicate send; the body is dropped after if the message is done.
    mutating func takeDuplicate(_ id: String) -> Message? {
        guard let index = index(id) else { return nil }
        let message = message(at: index)
        records[index].duplicatePending = false
        records[index].releaseBodyIfDone()
        return message
    }

    mutating func startAttempt(_ id: String, now: SimulationClock.Instant) -> Start {
        guard let index = index(id), records[index].status == .pending else { return .skip }
        let url = callbackURL(index).absoluteString
        if endpoints[url]?.status == .disabled {
            records[index].status = .disabled
            return .disabled
        }
        if let until = endpoints[url]?.resumeTime(at: now) { return .wait(until: until) }
        return .send(Ticket(deliveryId: id, ordinal: UInt64(index), attemptNumber: records[index].attemptCount + 1, message: message(at: index)))
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
        record.append(CompactAttempt(attempt, error: attempt.error.map { Int32(errors.index(of: $0)) } ?? -1))
        record.seriesAttempts += 1
        defer {
            record.releaseBodyIfDone()
            records[index] = record
        }
        let url = urls[Int(record.callback)].absoluteString
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
        try requireEnabled(callbackURL(index).absoluteString, field: "id")
        requeue(index)
        return delivery(at: index)
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
                && (url == nil || callbackURL(index).absoluteString == url)
        }
        for target in Set(chosen.map { callbackURL($0).absoluteString }).sorted() {
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
            result.append(delivery(at: index))
        }
        return result
    }

    func delivery(_ id: String) -> Delivery? {
        index(id).map { delivery(at: $0) }
    }
}

/// A delivery attempt in 24 bytes, a quarter of ``DeliveryAttempt``; its number is its place in the record, its error an
/// index into the book's table of errors.
private struct CompactAttempt: Sendable {
    var startedAt: Double
    var durationMs: Float
    /// -1 when the receiver did not answer.
    var statusCode: Int16
    /// Index into `DeliveryBook.errors`, or -1.
    var error: Int32

    init(_ attempt: DeliveryAttempt, error: Int32) {
        startedAt = attempt.startedAt.timeIntervalSince1970
        durationMs = Float(attempt.durationMs)
        statusCode = attempt.statusCode.map { Int16(clamping: $0) } ?? -1
        self.error = error
    }

    func attempt(number: Int, error: String?) -> DeliveryAttempt {
        DeliveryAttempt(
            number: number,
            startedAt: Date(timeIntervalSince1970: startedAt),
            statusCode: statusCode >= 0 ? Int(statusCode) : nil,
            error: error,
            durationMs: Double(durationMs)
        )
    }
}
