import Foundation
import HelpDeskAPI
import ServerSupport
import SimulationSupport

/// The record of every webhook message and attempt: a state machine with no I/O.
///
/// A message is `pending` until an attempt succeeds (`delivered`), its callback URL answers 410 (`disabled`), or its
/// attempts run out (`failed`, dead-lettered). A failed message can be sent again on request, starting the schedule over.
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
        /// The message is no longer pending.
        case skip
    }

    enum Next: Sendable, Hashable {
        case delivered
        case retry(at: SimulationClock.Instant)
        case deadLettered
        case disabled
    }

    private struct Record: Sendable {
        var id: String
        var ordinal: UInt64
        var message: Message
        var status: DeliveryStatus
        var attempts: [DeliveryAttempt] = []
        /// Attempts since the schedule last started (it restarts on a requested redelivery).
        var seriesAttempts = 0
        /// A duplicate send (fault injection) is still to come, so the body is still needed.
        var duplicatePending = false

        /// Drops the body once nothing can send the message again: delivered or disabled, no duplicate to come.
        /// A dead-lettered message keeps it for a requested redelivery.
        mutating func releaseBodyIfDone() {
            guard !duplicatePending, status == .delivered || status == .disabled else { return }
            message.body = Data()
        }

        var delivery: Delivery {
            Delivery(
                id: id,
                webhookId: message.webhookId,
                documentId: message.documentId,
                callbackUrl: message.callbackURL.absoluteString,
                status: status,
                attempts: attempts
            )
        }
    }

    let schedule: RetrySchedule
    let jitter: Double
    private var records: [String: Record] = [:]
    private var order: [String] = []
    private var disabledURLs: Set<String> = []

    init(schedule: RetrySchedule, jitter: Double) {
        self.schedule = schedule
        self.jitter = jitter
    }

    /// Records a new message, `pending` or, when fault injection drops it, `dropped`.
    mutating func add(_ message: Message, dropped: Bool) -> (id: String, ordinal: UInt64) {
        let ordinal = UInt64(order.count)
        let id = "dlv_\(ordinal + 1)"
        records[id] = Record(id: id, ordinal: ordinal, message: message, status: dropped ? .dropped : .pending)
        order.append(id)
        return (id, ordinal)
    }

    /// Messages recorded so far.
    var count: Int { order.count }

    func message(_ id: String) -> Message? {
        records[id]?.message
    }

    /// Notes that a duplicate send of the message is scheduled.
    mutating func expectDuplicate(_ id: String) {
        records[id]?.duplicatePending = true
    }

    /// The message for its scheduled duplicate send; the body is dropped after if the message is done.
    mutating func takeDuplicate(_ id: String) -> Message? {
        guard var record = records[id] else { return nil }
        let message = record.message
        record.duplicatePending = false
        record.releaseBodyIfDone()
        records[id] = record
        return message
    }

    mutating func startAttempt(_ id: String) -> Start {
        guard var record = records[id], record.status == .pending else { return .skip }
        if disabledURLs.contains(record.message.callbackURL.absoluteString) {
            record.status = .disabled
            record.releaseBodyIfDone()
            records[id] = record
            return .disabled
        }
        return .send(
            Ticket(deliveryId: id, ordinal: record.ordinal, attemptNumber: record.attempts.count + 1, message: record.message)
        )
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
        guard var record = records[ticket.deliveryId] else { return .deadLettered }
        record.attempts.append(attempt)
        record.seriesAttempts += 1
        defer {
            record.releaseBodyIfDone()
            records[ticket.deliveryId] = record
        }
        switch verdict {
        case .delivered:
            record.status = .delivered
            return .delivered
        case .gone:
            disabledURLs.insert(record.message.callbackURL.absoluteString)
            record.status = .disabled
            return .disabled
        case .retry(let notBefore):
            let next = record.seriesAttempts + 1
            guard let scheduled = schedule.delay(beforeAttempt: next, jitter: jitter, unit: jitterUnit) else {
                record.status = .failed
                return .deadLettered
            }
            let delay = notBefore.map { min($0, schedule.longestDelay) } ?? scheduled
            return .retry(at: now.advanced(by: delay))
        }
    }

    /// Puts a dead-lettered message back in line, its schedule started over.
    mutating func requestRedelivery(_ id: String) throws(APIError) -> Delivery {
        guard var record = records[id] else {
            throw APIError(.notFound, "no delivery with id \(id.prefix(64))", field: "id")
        }
        guard record.status == .failed else {
            throw APIError(.conflict, "only failed deliveries can be retried; this one is \(record.status.rawValue)", field: "id")
        }
        record.status = .pending
        record.seriesAttempts = 0
        records[id] = record
        return record.delivery
    }

    /// Messages in creation order, optionally only those in one state.
    func deliveries(status: DeliveryStatus?, limit: Int) -> [Delivery] {
        var result: [Delivery] = []
        for id in order where result.count < limit {
            guard let record = records[id], status == nil || record.status == status else { continue }
            result.append(record.delivery)
        }
        return result
    }

    func delivery(_ id: String) -> Delivery? {
        records[id]?.delivery
    }
}
