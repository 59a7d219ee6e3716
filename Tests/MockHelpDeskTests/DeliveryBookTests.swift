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
        guard case .send(let ticket) = book.startAttempt(id, now: at(0)) else {
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
        if case .skip = book.startAttempt(id, now: at(0)) {} else { Issue.record("a dead letter is not sent") }
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
        if case .disabled = book.startAttempt(second, now: at(0)) {} else { Issue.record("the second message must be disabled") }
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
        if case .skip = book.startAttempt(id, now: at(0)) {} else { Issue.record("a dropped message is not sent") }
    }

    /// Fails `id`'s next attempt at `seconds`.
    private func fail(_ book: inout DeliveryBook, _ id: String, at seconds: Int) throws -> DeliveryBook.Next {
        let ticket = try send(&book, id)
        return book.finish(ticket, attempt: attempt(ticket.attemptNumber, 503), verdict: .retry(notBefore: nil), now: at(seconds), jitterUnit: 0.5)
    }

    @Test func anEndpointIsDisabledAfterItsConsecutiveFailuresAndASuccessResetsTheCount() throws {
        let schedule = RetrySchedule(delays: Array(repeating: .seconds(1), count: 10))
        var book = DeliveryBook(schedule: schedule, jitter: 0, policy: EndpointPolicy(disableAfterConsecutiveFailures: 3))
        let first = book.add(message(1), dropped: false).id
        let second = book.add(message(2), dropped: false).id
        #expect(try fail(&book, first, at: 0) == .retry(at: at(1)))
        #expect(try fail(&book, first, at: 1) == .retry(at: at(2)))
        let ticket = try send(&book, second)
        #expect(book.finish(ticket, attempt: attempt(1, 200), verdict: .delivered, now: at(2), jitterUnit: 0) == .delivered)
        #expect(try fail(&book, first, at: 3) == .retry(at: at(4)), "the success started the count again")
        #expect(try fail(&book, first, at: 4) == .retry(at: at(5)))
        #expect(try fail(&book, first, at: 5) == .disabled)
        #expect(book.delivery(first)?.status == .disabled)
        let endpoint = try #require(book.endpointList(date: date).first)
        #expect(endpoint.status == .disabled && endpoint.consecutiveFailures == 3)
        #expect(endpoint.events.map(\.reason) == ["consecutive-failures"])
        let third = book.add(message(3), dropped: false).id
        if case .disabled = book.startAttempt(third, now: at(6)) {} else { Issue.record("nothing is sent to a disabled endpoint") }
    }

    @Test func anEndpointFailingForItsSpanIsDisabledAtItsNextFailure() throws {
        var book = DeliveryBook(schedule: .standard, jitter: 0, policy: EndpointPolicy(disableAfterFailingFor: .seconds(3600)))
        let id = book.add(message(1), dropped: false).id
        #expect(try fail(&book, id, at: 0) == .retry(at: at(5)))
        #expect(try fail(&book, id, at: 5) == .retry(at: at(305)))
        #expect(try fail(&book, id, at: 305) == .retry(at: at(2105)))
        #expect(try fail(&book, id, at: 3600) == .disabled, "an hour after the first failure")
        #expect(book.endpointList(date: date).first?.failingSince == date(at(0)))
    }

    @Test func theCircuitBreakerPausesAttemptsWithoutUsingThemUpThenResumes() throws {
        let breaker = CircuitBreaker(errorShare: 0.7, window: .seconds(60), minimumAttempts: 4, pause: .seconds(300))
        var book = DeliveryBook(schedule: RetrySchedule(delays: [.zero, .seconds(1), .seconds(1)]), jitter: 0, policy: EndpointPolicy(circuitBreaker: breaker))
        let ids = (1...4).map { book.add(message($0), dropped: false).id }
        let good = try send(&book, ids[0])
        #expect(book.finish(good, attempt: attempt(1, 200), verdict: .delivered, now: at(0), jitterUnit: 0) == .delivered)
        #expect(try fail(&book, ids[1], at: 1) == .retry(at: at(2)))
        #expect(try fail(&book, ids[2], at: 2) == .retry(at: at(3)))
        #expect(book.endpointList(date: date).first?.status == .enabled, "2 of 3 failed: under the minimum attempts")
        #expect(try fail(&book, ids[3], at: 3) == .retry(at: at(4)))
        let paused = try #require(book.endpointList(date: date).first)
        #expect(paused.status == .paused && paused.pausedUntil == date(at(303)), "3 of 4 failed: 75 % trips it")
        guard case .wait(let until) = book.startAttempt(ids[1], now: at(4)) else {
            Issue.record("an attempt waits for the pause's end")
            return
        }
        #expect(until == at(303))
        guard case .send(let ticket) = book.startAttempt(ids[1], now: at(303)) else {
            Issue.record("the pause is over")
            return
        }
        #expect(book.finish(ticket, attempt: attempt(2, 503), verdict: .retry(notBefore: nil), now: at(303), jitterUnit: 0.5) == .retry(at: at(304)), "the wait used up no attempt")
        #expect(book.endpointList(date: date).first?.events.map(\.reason) == ["circuit-breaker", "pause-ended"])
    }

    @Test func aReplaySendsAgainWhatFailedOrWasDisabledSinceATimeOnceItsEndpointIsEnabled() throws {
        var book = DeliveryBook(schedule: RetrySchedule(delays: [.zero]), jitter: 0, policy: EndpointPolicy(disableAfterConsecutiveFailures: 2))
        let created = { (seconds: Int) in Date(timeIntervalSince1970: 1_000 + Double(seconds)) }
        let old = book.add(message(1), dropped: false, createdAt: created(0)).id
        let failed = book.add(message(2), dropped: false, createdAt: created(10)).id
        let disabled = book.add(message(3), dropped: false, createdAt: created(20)).id
        let waiting = book.add(message(4), dropped: false, createdAt: created(30)).id
        let dropped = book.add(message(5), dropped: true, createdAt: created(40)).id
        #expect(try fail(&book, old, at: 0) == .deadLettered)
        let delivered = try send(&book, failed)
        #expect(book.finish(delivered, attempt: attempt(1, 200), verdict: .delivered, now: at(1), jitterUnit: 0) == .delivered)
        let failedNow = book.add(message(6), dropped: false, createdAt: created(12)).id
        #expect(try fail(&book, failedNow, at: 2) == .deadLettered)
        #expect(try fail(&book, disabled, at: 3) == .disabled, "the second failure in a row")
        let url = self.url.absoluteString
        #expect(#expect(throws: APIError.self) { try book.replay(since: created(5), url: url) }?.status == .conflict, "its endpoint is disabled")
        #expect(#expect(throws: APIError.self) { try book.replay(since: created(5), url: "http://127.0.0.1:9/other") }?.status == .notFound)
        try book.enable(url, now: at(4))
        #expect(try book.replay(since: created(5), url: url) == [disabled, failedNow], "not the older one, not the delivered, pending or dropped")
        #expect(try book.replay(since: created(5), url: nil) == [], "both are back in line: a second replay sends nothing")
        #expect(book.delivery(waiting)?.status == .pending && book.delivery(dropped)?.status == .dropped)
        let replayed = try send(&book, disabled)
        #expect(replayed.attemptNumber == 2)
        #expect(book.endpointList(date: date).first?.events.map(\.reason) == ["consecutive-failures", "enabled-on-request"])
    }

    @Test func enablingAnUnknownEndpointIsRefused() {
        var book = DeliveryBook(schedule: .standard, jitter: 0)
        #expect(#expect(throws: APIError.self) { try book.enable("http://127.0.0.1:9/nowhere", now: at(0)) }?.status == .notFound)
    }

    private func date(_ instant: SimulationClock.Instant) -> Date {
        Date(timeIntervalSince1970: instant.offset.secondsValue)
    }
}

