import Foundation
import HelpDeskAPI
import ServerSupport
import SimulationSupport
import Testing

@testable import MockHelpDesk

struct DeliveryBookTests {
    private let url = URL(string: "http://127.0.0.1:9/hook")!
    private func message(_ n: Int) -> DeliveryBook.Message {
        .init(webhookId: "msg_\(n)", documentId: "doc_\(n)", callbackURL: url, body: Data("{}".utf8))
    }
    private func attempt(_ number: Int, _ status: Int?) -> DeliveryAttempt {
        DeliveryAttempt(number: number, startedAt: Date(), statusCode: status, error: status == nil ? "timeout" : nil, durationMs: 1)
    }
    private func at(_ seconds: Int) -> SimulationClock.Instant { .init(offset: .seconds(seconds)) }

    private func send(_ book: inout DeliveryBook, _ id: String) throws -> DeliveryBook.Ticket {
        guard case .send(let ticket) = book.startAttempt(id) else {
            Issue.record("expected an attempt for \(id)")
            throw CancellationError()
        }
        return ticket
    }

    @Test func failuresFollowTheScheduleUntilDeadLettered() throws {
        var book = DeliveryBook(schedule: RetrySchedule(delays: [.zero, .seconds(5), .seconds(60)]), jitter: 0)
        let id = book.add(message(1), dropped: false).id
        var ticket = try send(&book, id)
        #expect(book.finish(ticket, attempt: attempt(1, 500), verdict: .retry(notBefore: nil), now: at(10), jitterUnit: 0.5) == .retry(at: at(15)))
        ticket = try send(&book, id)
        #expect(ticket.attemptNumber == 2)
        #expect(book.finish(ticket, attempt: attempt(2, nil), verdict: .retry(notBefore: nil), now: at(15), jitterUnit: 0.5) == .retry(at: at(75)))
        ticket = try send(&book, id)
        #expect(book.finish(ticket, attempt: attempt(3, 500), verdict: .retry(notBefore: nil), now: at(75), jitterUnit: 0.5) == .deadLettered)
        #expect(book.delivery(id)?.status == .failed)
        #expect(book.delivery(id)?.attempts.map(\.number) == [1, 2, 3])
        if case .skip = book.startAttempt(id) {} else { Issue.record("a dead letter is not sent") }
    }

    @Test func aRetryAfterReplacesTheScheduledDelayUpToTheLongest() throws {
        var book = DeliveryBook(schedule: RetrySchedule(delays: [.zero, .seconds(5), .seconds(60)]), jitter: 0)
        let id = book.add(message(1), dropped: false).id
        var ticket = try send(&book, id)
        #expect(book.finish(ticket, attempt: attempt(1, 429), verdict: .retry(notBefore: .seconds(42)), now: at(0), jitterUnit: 0) == .retry(at: at(42)))
        ticket = try send(&book, id)
        #expect(book.finish(ticket, attempt: attempt(2, 503), verdict: .retry(notBefore: .seconds(9999)), now: at(42), jitterUnit: 0) == .retry(at: at(102)))
    }

    @Test func goneDisablesTheURLForEveryPendingMessage() throws {
        var book = DeliveryBook(schedule: .standard, jitter: 0)
        let first = book.add(message(1), dropped: false).id
        let second = book.add(message(2), dropped: false).id
        let ticket = try send(&book, first)
        #expect(book.finish(ticket, attempt: attempt(1, 410), verdict: .gone, now: at(0), jitterUnit: 0) == .disabled)
        if case .disabled = book.startAttempt(second) {} else { Issue.record("the second message must be disabled") }
        #expect(book.deliveries(status: .disabled, limit: 10).map(\.id) == [first, second])
    }

    @Test func onlyFailedMessagesCanBeRedelivered() throws {
        var book = DeliveryBook(schedule: RetrySchedule(delays: [.zero]), jitter: 0)
        let id = book.add(message(1), dropped: false).id
        #expect(#expect(throws: APIError.self) { try book.requestRedelivery(id) }?.status == .conflict)
        #expect(#expect(throws: APIError.self) { try book.requestRedelivery("dlv_404") }?.status == .notFound)
        let ticket = try send(&book, id)
        #expect(book.finish(ticket, attempt: attempt(1, 500), verdict: .retry(notBefore: nil), now: at(0), jitterUnit: 0) == .deadLettered)
        #expect(try book.requestRedelivery(id).status == .pending)
        let again = try send(&book, id)
        #expect(again.attemptNumber == 2, "attempt numbers continue over the message's life")
        #expect(book.finish(again, attempt: attempt(2, 200), verdict: .delivered, now: at(1), jitterUnit: 0) == .delivered)
    }

    @Test func droppedMessagesAreListedButNeverSent() {
        var book = DeliveryBook(schedule: .standard, jitter: 0)
        let id = book.add(message(1), dropped: true).id
        #expect(book.delivery(id)?.status == .dropped)
        if case .skip = book.startAttempt(id) {} else { Issue.record("a dropped message is not sent") }
    }
}
