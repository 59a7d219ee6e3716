import Flows
import HelpDeskAPI
import MockHelpDesk
import SimulationSupport
import TestSupport
import Testing

/// The hand-overs of virtual time across real HTTP: whatever a decision or a deadline starts is in hand until it is
/// done, so the first quiet moment after it already shows its whole effect. No test here waits for an effect: each
/// waits for quiet only, and a lost hand-over would show as an effect missing at that moment.
///
/// One document is submitted at t = 0; its review takes 3.5 s.
@Suite(.timeLimit(.minutes(1)))
struct HandOverTests {
    @Test(arguments: HelpDeskTransportKind.allCases) func aLongPollWokenByADecisionReachesOurRowBeforeQuiet(transport: HelpDeskTransportKind) async throws {
        try await FlowHarness.run(transport: transport, strategy: .longPoll(wait: .seconds(30))) { harness in
            _ = try await harness.submit()
            await harness.simulation.activity.waitUntilQuiet()
            #expect(harness.desk.stats().requestCount(route: "GET /document/{documentId}") == 0, "held, not answered")
            #expect(harness.clock.pendingDeadlines.contains(FlowHarness.at(30)), "the Help Desk holds it for 30 s")

            harness.clock.advance(to: FlowHarness.at(3.5))
            await harness.simulation.activity.waitUntilQuiet()
            #expect(harness.app.ledger.snapshot.applied == 1, "the decision woke the long-poll, and its answer was applied")
            #expect(harness.app.strategyCounts.requests == 1)
            #expect(!harness.clock.pendingDeadlines.contains(FlowHarness.at(30)), "the hold's timer is gone")
        }
    }

    @Test(arguments: HelpDeskTransportKind.allCases) func aStreamEventReachesOurRowBeforeQuiet(transport: HelpDeskTransportKind) async throws {
        try await FlowHarness.run(transport: transport, strategy: .sse) { harness in
            _ = try await harness.submit()
            await harness.simulation.activity.waitUntilQuiet()
            #expect(harness.desk.stats().streams.open == 1, "the stream is open and idle")

            harness.clock.advance(to: FlowHarness.at(3.5))
            await harness.simulation.activity.waitUntilQuiet()
            #expect(harness.app.ledger.snapshot.applied == 1, "the event was written, read and applied")
            #expect(try await harness.store.eventCursor(named: "sse") == "evt_1")
        }
    }

    @Test(arguments: [StrategySpec.webhook, .webhookThin]) func aWebhookAndTheFetchItLeadsToAreDoneBeforeQuiet(strategy: StrategySpec) async throws {
        try await FlowHarness.run(strategy: strategy) { harness in
            _ = try await harness.submit()
            await harness.simulation.activity.waitUntilQuiet()
            harness.clock.advance(to: FlowHarness.at(3.5))
            await harness.simulation.activity.waitUntilQuiet()
            #expect(harness.app.ledger.snapshot.applied == 1, "delivered, applied (a thin one fetched first)")
            #expect(harness.desk.deliveriesSettled, "nothing left to send")
            #expect(harness.app.client.traffic.requests[.thinFetch] == (strategy == .webhookThin ? 1 : nil))
        }
    }
}
