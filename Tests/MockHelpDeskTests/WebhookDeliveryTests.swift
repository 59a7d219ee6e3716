import Foundation
import HelpDeskAPI
import SimulationSupport
import Testing

@testable import MockHelpDesk

@Suite(.timeLimit(.minutes(1)))
struct WebhookDeliveryTests {
    private func at(_ seconds: Double) -> ManualClock.Instant { HelpDeskHarness.at(seconds) }

    @Test func aDecisionIsDeliveredAsASignedFullWebhook() async throws {
        try await HelpDeskHarness.run { harness in
            try await WebhookReceiver.run(clock: harness.clock) { receiver, url in
                let document = try await harness.submit(metadata: ["team": "legal"], callback: url)
                await harness.advance(toWhenParked: 3)

                let webhook = await receiver.request(0)
                #expect(webhook.receivedAt == at(3), "sent the moment the review is decided")
                try WebhookVerifier(secret: harness.secret).verify(
                    id: webhook.header("webhook-id"),
                    timestamp: webhook.header("webhook-timestamp"),
                    signature: webhook.header("webhook-signature"),
                    body: webhook.body
                )
                let timestamp = try #require(webhook.header("webhook-timestamp").flatMap(Double.init))
                #expect(abs(timestamp - Date().timeIntervalSince1970) < 60, "the timestamp is wall-clock time")
                let payload = try HelpDeskJSON.decode(WebhookPayload.self, from: webhook.body)
                let decision = try #require(harness.desk.decisions.first)
                #expect(payload.documentId == document.documentId)
                #expect(payload.agentId == document.agentId)
                #expect(payload.documentStatus == decision.verdict)
                #expect(payload.metadata == ["team": "legal"])
                #expect(webhook.header("content-type") == "application/json")

                await harness.desk.waitForStats { $0.deliveries.delivered == 1 }
                let delivery = try #require(harness.desk.dispatcher.deliveries(status: .delivered, limit: 10).first)
                #expect(delivery.webhookId == webhook.header("webhook-id"))
                #expect(delivery.attempts.map(\.statusCode) == [204])
            }
        }
    }

    @Test func aThinWebhookCarriesOnlyTheDocumentId() async throws {
        try await HelpDeskHarness.run { harness in
            try await WebhookReceiver.run(clock: harness.clock) { receiver, url in
                let document = try await harness.submit(metadata: ["team": "legal"], callback: url, style: .thin)
                await harness.advance(toWhenParked: 3)
                let webhook = await receiver.request(0)
                let object = try JSONSerialization.jsonObject(with: webhook.body) as? [String: String]
                #expect(object == ["documentId": document.documentId])
            }
        }
    }

    @Test func aFailingReceiverGetsTheMessageOnTheScheduledRetries() async throws {
        try await HelpDeskHarness.run { harness in
            try await WebhookReceiver.run(clock: harness.clock, script: { $0 < 2 ? .status(.internalServerError) : .ok }) { receiver, url in
                _ = try await harness.submit(callback: url)
                await harness.advance(toWhenParked: 3)
                _ = await receiver.request(0)
                await harness.advance(toWhenParked: 3 + 5)
                _ = await receiver.request(1)
                await harness.advance(toWhenParked: 3 + 5 + 300)
                _ = await receiver.request(2)
                await harness.desk.waitForStats { $0.deliveries.delivered == 1 }

                let received = receiver.received
                #expect(received.map(\.receivedAt) == [at(3), at(8), at(308)])
                #expect(Set(received.compactMap { $0.header("webhook-id") }).count == 1, "every attempt is the same message")
                let delivery = try #require(harness.desk.dispatcher.deliveries(status: nil, limit: 10).first)
                #expect(delivery.status == .delivered)
                #expect(delivery.attempts.map(\.number) == [1, 2, 3])
                #expect(delivery.attempts.map(\.statusCode) == [500, 500, 204])
                let stats = harness.desk.stats().deliveries
                #expect(stats.attempts == 3)
                #expect(stats.failedAttempts == 2)
            }
        }
    }

    @Test func aRetryAfterFromTheReceiverIsHonoured() async throws {
        try await HelpDeskHarness.run { harness in
            try await WebhookReceiver.run(clock: harness.clock, script: { $0 == 0 ? .status(.tooManyRequests, retryAfter: "42") : .ok }) { receiver, url in
                _ = try await harness.submit(callback: url)
                await harness.advance(toWhenParked: 3)
                await harness.advance(toWhenParked: 3 + 42)
                #expect(await receiver.request(1).receivedAt == at(45))
            }
        }
    }

    @Test func goneStopsEveryDeliveryToThatURL() async throws {
        try await HelpDeskHarness.run { harness in
            try await WebhookReceiver.run(clock: harness.clock, script: { _ in .status(.gone) }) { receiver, url in
                _ = try await harness.submit(callback: url)
                harness.clock.advance(to: at(1))
                _ = try await harness.submit(callback: url)
                await harness.advance(toWhenParked: 3)
                await harness.desk.waitForStats { $0.deliveries.disabled == 1 }
                await harness.advance(toWhenParked: 4)
                await harness.desk.waitForStats { $0.deliveries.disabled == 2 }

                #expect(receiver.received.count == 1, "nothing is sent to a URL that answered 410")
                let disabled = harness.desk.dispatcher.deliveries(status: .disabled, limit: 10)
                #expect(disabled.map { $0.attempts.count } == [1, 0])
                #expect(harness.clock.pendingDeadlines.isEmpty, "no retry is scheduled")
            }
        }
    }

    @Test func aSilentReceiverTimesOutAndIsRetried() async throws {
        try await HelpDeskHarness.run { harness in
            try await WebhookReceiver.run(clock: harness.clock, script: { $0 == 0 ? .held : .ok }) { receiver, url in
                _ = try await harness.submit(callback: url)
                await harness.advance(toWhenParked: 3)
                _ = await receiver.request(0)
                await harness.advance(toWhenParked: 3 + 15)
                await harness.advance(toWhenParked: 3 + 15 + 5)
                #expect(await receiver.request(1).receivedAt == at(23))
                await harness.desk.waitForStats { $0.deliveries.delivered == 1 }
                let delivery = try #require(harness.desk.dispatcher.deliveries(status: .delivered, limit: 1).first)
                #expect(delivery.attempts.map(\.error) == ["timeout", nil])
                #expect(harness.desk.stats().deliveries.timedOut == 1)
            }
        }
    }

    @Test func theRetryAfterATimeoutIsScheduledBeforeQuiet() async throws {
        try await HelpDeskHarness.run { harness in
            try await WebhookReceiver.run(clock: harness.clock, script: { $0 == 0 ? .held : .ok }) { receiver, url in
                _ = try await harness.submit(callback: url)
                await harness.advance(toWhenParked: 3)
                _ = await receiver.request(0)
                // The receiver holds the first attempt; at the delivery timeout the dispatcher gives up on it.
                harness.clock.advance(to: at(3 + 15))
                await harness.desk.clock.activity.waitUntilQuiet()
                let stats = harness.desk.stats().deliveries
                #expect(stats.attempts == 1)
                #expect(stats.timedOut == 1)
                #expect(harness.desk.clock.activity.earliestDeadline == .init(offset: .seconds(23)), "the retry is scheduled 5 s later")
                receiver.releaseHeldRequests()
            }
        }
    }

    @Test func aDeadLetterIsListedAndCanBeRetriedOnRequest() async throws {
        try await HelpDeskHarness.run({ $0.delivery.schedule = RetrySchedule(delays: [.zero, .seconds(5)]) }) { harness in
            let failing = Flag(true)
            try await WebhookReceiver.run(clock: harness.clock, script: { _ in failing.value ? .status(.badGateway) : .ok }) { receiver, url in
                _ = try await harness.submit(callback: url)
                await harness.advance(toWhenParked: 3)
                await harness.advance(toWhenParked: 8)
                await harness.desk.waitForStats { $0.deliveries.deadLettered == 1 }

                let failed = try await harness.send(.GET, "/deliveries?status=failed").decode(DeliveryList.self).deliveries
                #expect(failed.count == 1)
                #expect(failed.first?.attempts.map(\.statusCode) == [502, 502])
                let id = try #require(failed.first?.id)

                failing.value = false
                let retried = try await harness.send(.POST, "/deliveries/\(id)/retry")
                #expect(retried.status == 202)
                #expect(try retried.decode(Delivery.self).status == .pending)
                await harness.desk.waitForStats { $0.deliveries.delivered == 1 }
                #expect(await receiver.request(2).receivedAt == at(8), "redelivered at once")

                let delivered = try await harness.send(.GET, "/deliveries?status=delivered").decode(DeliveryList.self).deliveries
                #expect(delivered.first?.attempts.map(\.number) == [1, 2, 3])
                #expect(try await harness.send(.GET, "/deliveries?status=failed").decode(DeliveryList.self).deliveries.isEmpty)

                let again = try await harness.send(.POST, "/deliveries/\(id)/retry")
                #expect(again.status == 409)
                #expect(try again.error.field == "id")
                #expect(try await harness.send(.POST, "/deliveries/dlv_999/retry").status == 404)
                #expect(harness.desk.stats().deliveries.redeliveriesRequested == 1)
            }
        }
    }

    @Test func dropsAndDuplicatesFollowTheSeededPlan() async throws {
        let documents = 200
        try await HelpDeskHarness.run({
            $0.faults.dropWebhookRatio = 0.1
            $0.faults.duplicateDeliveryRatio = 0.3
        }) { harness in
            try await WebhookReceiver.run(clock: harness.clock) { receiver, url in
                for index in 0..<documents {
                    _ = try await harness.submit("https://example.com/\(index).pdf", callback: url)
                }
                await harness.advance(toWhenParked: 3)

                let plan = (0..<documents).map { harness.desk.faults.deliveryFaults(forMessage: UInt64($0)) }
                let dropped = plan.filter(\.drop).count
                let duplicated = plan.filter { $0.duplicate && !$0.drop }.count
                #expect((5...40).contains(dropped), "about 10% of \(documents)")
                #expect((30...90).contains(duplicated), "about 30% of those sent")

                await harness.desk.waitForStats { $0.deliveries.delivered == documents - dropped && $0.deliveries.duplicatesSent == duplicated }
                let stats = harness.desk.stats().deliveries
                #expect(stats.messages == documents)
                #expect(stats.dropped == dropped)
                #expect(stats.attempts == documents - dropped)

                _ = await receiver.request(documents - dropped + duplicated - 1)
                let ids = receiver.received.compactMap { $0.header("webhook-id") }
                #expect(ids.count == documents - dropped + duplicated)
                #expect(Set(ids).count == documents - dropped, "a duplicate repeats its message's webhook-id")
                #expect(harness.desk.dispatcher.deliveries(status: .dropped, limit: 1000).count == dropped)
            }
        }
    }

    @Test func extraDeliveryDelayPostponesTheFirstSend() async throws {
        try await HelpDeskHarness.run({ $0.faults.maxExtraDeliveryDelay = .seconds(10) }) { harness in
            try await WebhookReceiver.run(clock: harness.clock) { receiver, url in
                _ = try await harness.submit(callback: url)
                await harness.advance(toWhenParked: 3)
                let delay = harness.desk.faults.deliveryFaults(forMessage: 0).firstSendDelay
                #expect(delay > .zero)
                let sendAt = at(3).advanced(by: delay)
                await harness.clock.waitForSleeper(at: sendAt)
                harness.clock.advance(to: sendAt)
                #expect(await receiver.request(0).receivedAt == sendAt)
            }
        }
    }
}

/// A flag a receiver script reads and a test flips.
final class Flag: Sendable {
    private let state: Mutex<Bool>

    init(_ value: Bool) {
        state = Mutex(value)
    }

    var value: Bool {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}

import Synchronization
