import Foundation
import HelpDeskAPI
import SimulationSupport
import Testing

@testable import MockHelpDesk

/// The give-up rules seen through the API: an endpoint disabled after failing, listed with its event, enabled again,
/// and its dead letters replayed, with every bad request refused and changing nothing.
@Suite(.timeLimit(.minutes(1)))
struct EndpointRoutesTests {
    private func at(_ seconds: Double) -> ManualClock.Instant { HelpDeskHarness.at(seconds) }

    @Test func aDisabledEndpointIsEnabledAndItsMessageReplayedOnce() async throws {
        let configure = { (configuration: inout HelpDeskConfiguration) in
            configuration.delivery.schedule = RetrySchedule(delays: [.zero, .seconds(5), .seconds(60)])
            configuration.delivery.endpoints = EndpointPolicy(disableAfterConsecutiveFailures: 2)
        }
        try await HelpDeskHarness.run(configure) { harness in
            try await WebhookReceiver.run(clock: harness.clock, script: { $0 < 2 ? .status(.serviceUnavailable) : .ok }) { receiver, url in
                let since = Date(timeIntervalSinceNow: -60)
                _ = try await harness.submit(callback: url)
                await harness.advance(toWhenParked: 3)
                _ = await receiver.request(0)
                await harness.advance(toWhenParked: 8)
                _ = await receiver.request(1)
                await harness.desk.waitForStats { $0.deliveries.disabled == 1 }

                let endpoints = try await harness.send(.GET, "/endpoints").decode(EndpointList.self).endpoints
                #expect(endpoints.count == 1)
                #expect(endpoints.first?.url == url && endpoints.first?.status == .disabled && endpoints.first?.consecutiveFailures == 2)
                #expect(endpoints.first?.events.map(\.reason) == ["consecutive-failures"])
                let disabled = try await harness.send(.GET, "/deliveries?status=disabled").decode(DeliveryList.self).deliveries
                #expect(disabled.count == 1)

                let refused = try await harness.sendJSON(.POST, "/deliveries/replay", ReplayRequest(since: since, url: url))
                #expect(refused.status == 409, "enable it first")
                #expect(try refused.error.field == "url")
                let unknown = try await harness.sendJSON(.POST, "/endpoints/enable", EnableEndpointRequest(url: "http://127.0.0.1:9/elsewhere"))
                #expect(unknown.status == 404)
                #expect(try unknown.error.field == "url")
                let enabled = try await harness.sendJSON(.POST, "/endpoints/enable", EnableEndpointRequest(url: url))
                #expect(enabled.status == 200)
                #expect(try enabled.decode(Endpoint.self).events.map(\.status) == [.disabled, .enabled])

                let replay = try await harness.sendJSON(.POST, "/deliveries/replay", ReplayRequest(since: since, url: url))
                #expect(replay.status == 202)
                #expect(try replay.decode(ReplayResult.self).deliveries == disabled.map(\.id))
                let resent = await receiver.request(2)
                #expect(resent.header("webhook-id") == disabled.first?.webhookId, "the same message, so the receiver can deduplicate it")
                await harness.desk.waitForStats { $0.deliveries.delivered == 1 }
                let again = try await harness.sendJSON(.POST, "/deliveries/replay", ReplayRequest(since: since))
                #expect(try again.decode(ReplayResult.self).replayed == 0, "delivered: a second replay sends nothing")
                #expect(receiver.received.count == 3)
                #expect(harness.desk.stats().deliveries.redeliveriesRequested == 1)
            }
        }
    }

    @Test(arguments: [
        (#"{"since":"yesterday"}"#, "since"),
        (#"{"since":"2999-01-01T00:00:00Z"}"#, "since"),
        (#"{"url":"http://127.0.0.1:9/hook"}"#, "since"),
        (#"{"since":"2026-01-01T00:00:00Z","limit":3}"#, "limit"),
        (#"{"since":"2026-01-01T00:00:00Z","url":"http://127.0.0.1:9/never"}"#, "url"),
    ])
    func aBadReplayIsRefusedNamingItsField(body: String, field: String) async throws {
        try await HelpDeskHarness.run { harness in
            let response = try await harness.send(.POST, "/deliveries/replay", body: Data(body.utf8), headers: [("Content-Type", "application/json")])
            #expect([400, 404].contains(response.status), "\(response.text)")
            #expect(try response.error.field == field, "\(response.text)")
        }
    }
}
