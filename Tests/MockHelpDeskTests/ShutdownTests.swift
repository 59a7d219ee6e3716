import HelpDeskAPI
import ServiceLifecycle
import ServerSupport
import SimulationSupport
import Testing

@testable import MockHelpDesk

@Suite(.timeLimit(.minutes(1)))
struct ShutdownTests {
    @Test func aGracefulShutdownLetsAttemptsInFlightFinish() async throws {
        let clock = ManualClock()
        var configuration = HelpDeskConfiguration()
        configuration.reviewDelay = .uniform(.seconds(3) ... .seconds(3))
        let desk = try MockHelpDesk(configuration: configuration, secret: .generate(), clock: SimulationClock(base: clock), logger: HelpDeskHarness.quietLogger())
        try await WebhookReceiver.run(clock: clock, script: { _ in .held }) { receiver, url in
            let group = ServiceGroup(configuration: .init(services: desk.services, logger: HelpDeskHarness.quietLogger()))
            let running = Task { try await group.run() }
            let callback = try CallbackPolicy().validate(url)
            _ = try await desk.submit(Submission(request: .init(documentUrl: "https://example.com/a.pdf"), callback: Callback(url: callback, style: .full), idempotencyKey: nil))
            await clock.waitForSleeper(at: .init(offset: .seconds(3)))
            clock.advance(to: .init(offset: .seconds(3)))
            _ = await receiver.request(0)

            await group.triggerGracefulShutdown()
            receiver.releaseHeldRequests()
            try await running.value

            #expect(desk.stats().deliveries.delivered == 1, "the attempt in flight finished before the dispatcher stopped")
            #expect(desk.dispatcher.deliveries(status: .delivered, limit: 1).count == 1)
        }
    }
}
