import Flows
import HelpDeskAPI
import MockHelpDesk
import ServerSupport
import SimulationSupport
import TestSupport
import Testing

@testable import Flows

/// `sse` from `POST /reviews` to a decided row, over real HTTP, stepping model time by hand.
///
/// Three documents are submitted at t = 0, 0.2 and 0.4 s; each review takes 3.5 s, so the decisions come at 3.5, 3.7
/// and 3.9 s.
@Suite(.timeLimit(.minutes(1)))
struct EventStreamStrategyTests {
    static let documents = 3

    /// Moves time to the next review decision (the only queued deadline) and waits until the Help Desk has made
    /// `decided` decisions.
    private func decide(_ harness: FlowHarness, count decided: Int) async throws {
        let decision = try #require(harness.simulation.activity.earliestDeadline)
        harness.clock.advance(to: .init(offset: decision.offset))
        await harness.desk.waitForDecisions(count: decided)
    }

    /// Decides the next review and waits until `applied` rows have their verdict.
    private func decideNext(_ harness: FlowHarness, applied: Int) async throws {
        try await decide(harness, count: applied)
        await harness.app.ledger.waitForApplied(count: applied)
    }

    @Test(arguments: HelpDeskTransportKind.allCases) func oneStreamCarriesEveryVerdictTheMomentItIsDecided(transport: HelpDeskTransportKind) async throws {
        try await FlowHarness.run(transport: transport, strategy: .sse) { harness in
            await harness.desk.waitForStats { $0.streams.open == 1 }
            try await harness.submitStaggered(Self.documents)
            for index in 0..<Self.documents {
                try await decideNext(harness, applied: index + 1)
                #expect(harness.simulation.now == .init(offset: FlowHarness.reviewDelay + .milliseconds(200 * index)), "applied with no wait")
            }
            try await harness.expectRowsMatchTheHelpDesk(count: Self.documents)
            #expect(harness.app.client.traffic.requests[.stream] == 1, "one stream, no poll")
            #expect(harness.app.client.traffic.totalRequests == Self.documents + 1, "the submissions and the stream")
            #expect(try await harness.store.eventCursor(named: EventStreamStrategy.cursorName) == "evt_3")
            #expect(harness.desk.stats().streams.eventsSent == Self.documents)
            #expect(harness.app.ledger.snapshot.alreadyApplied == 0)
        }
    }

    @Test(arguments: HelpDeskTransportKind.allCases) func aDroppedStreamIsOpenedAgainAfterTheHintFromTheStoredCursor(transport: HelpDeskTransportKind) async throws {
        // The Help Desk ends each stream after one event: every decision comes on a stream of its own.
        try await FlowHarness.run(transport: transport, strategy: .sse, configureDesk: { $0.faults.closeStreamsAfterEvents = 1 }) { harness in
            await harness.desk.waitForStats { $0.streams.open == 1 }
            try await harness.submitStaggered(Self.documents)
            try await decideNext(harness, applied: 1)
            // The stream ended after evt_1; the app waits the 1 s retry hint, while the other two are decided.
            await harness.clock.waitForSleeper(at: FlowHarness.at(4.5))
            try await decide(harness, count: 2)
            try await decide(harness, count: 3)
            #expect(harness.app.ledger.snapshot.applied == 1, "nothing reaches the app while it is disconnected")
            harness.clock.advance(to: FlowHarness.at(4.5))
            await harness.app.ledger.waitForApplied(count: 2)
            await harness.clock.waitForSleeper(at: FlowHarness.at(5.5))
            harness.clock.advance(to: FlowHarness.at(5.5))
            await harness.app.ledger.waitForApplied(count: 3)

            try await harness.expectRowsMatchTheHelpDesk(count: Self.documents)
            let streams = harness.desk.stats().streams
            #expect(streams.opened == 3)
            #expect(streams.eventsSent == Self.documents, "each resumed after the event it had: none sent twice")
            #expect(streams.closedByServer == 3)
            #expect(harness.app.ledger.snapshot.alreadyApplied == 0)
            #expect(try await harness.store.eventCursor(named: EventStreamStrategy.cursorName) == "evt_3")
        }
    }

    @Test(arguments: HelpDeskTransportKind.allCases) func aSecondAppOnTheSameDatabaseResumesFromTheStoredCursor(transport: HelpDeskTransportKind) async throws {
        try await FlowHarness.run(transport: transport, strategy: .sse) { harness in
            await harness.desk.waitForStats { $0.streams.open == 1 }
            try await harness.submitStaggered(Self.documents)
            try await decideNext(harness, applied: 1)
            #expect(try await harness.store.eventCursor(named: EventStreamStrategy.cursorName) == "evt_1")

            let second = ReviewApp(
                configuration: ReviewAppConfiguration(helpDeskURL: harness.deskURL, strategy: .sse, webhookSecrets: [harness.secret]),
                store: harness.store,
                clock: harness.simulation,
                logger: .quiet,
                wallClock: harness.wallClock
            )
            try await withRunningApplication({ second.makeApplication(port: 0, onServerRunning: $0) }) { _ in
                await harness.desk.waitForStats { $0.streams.open == 2 }
                try await decide(harness, count: 2)
                try await decide(harness, count: 3)
                // Both apps hear of both decisions; whichever commits a row first applies it, the other finds it done.
                await second.ledger.waitForCounts { $0.applied + $0.alreadyApplied == 2 }
                await harness.app.ledger.waitForCounts { $0.applied + $0.alreadyApplied == 3 }
            }
            try await harness.expectRowsMatchTheHelpDesk(count: Self.documents)
            // The first app's stream carried all three; the second's began after evt_1, the stored cursor.
            #expect(harness.desk.stats().streams.eventsSent == 5)
            #expect(second.ledger.snapshot.applied + harness.app.ledger.snapshot.applied == Self.documents)
        }
    }

    @Test func aCursorTheHelpDeskDoesNotKnowIsDroppedForTheFirstDecision() async throws {
        // A cursor left by a Help Desk that has since lost its feed: it answers 400, and the app reads from the start.
        try await FlowHarness.run(strategy: .sse, beforeAppStarts: { store, _ in
            _ = try await store.apply(events: [], advancingCursor: EventStreamStrategy.cursorName, to: "evt_9")
        }) { harness in
            await harness.desk.waitForStats { $0.streams.open == 1 }
            try await harness.submitStaggered(Self.documents)
            for index in 0..<Self.documents { try await decideNext(harness, applied: index + 1) }
            try await harness.expectRowsMatchTheHelpDesk(count: Self.documents)
            #expect(harness.desk.stats().requestCount(route: "GET /events/stream", status: 400) >= 1)
            #expect(try await harness.store.eventCursor(named: EventStreamStrategy.cursorName) == "evt_3")
        }
    }

    @Test func theReconnectWaitBacksOffWhileAttemptsFailAndIsTheHintOtherwise() {
        let policy = ReconnectPolicy(defaultHint: .seconds(1), cap: .seconds(30))
        var random = SeededGenerator(seed: 1, stream: "test", index: 0)
        #expect(policy.delay(afterFailures: 0, hint: .milliseconds(700), random: &random) == .milliseconds(700))
        for failures in 1...8 {
            let base = min(30, 0.7 * Double(1 << failures))
            let delay = policy.delay(afterFailures: failures, hint: .milliseconds(700), random: &random).secondsValue
            #expect(delay >= base / 2 && delay <= base, "after \(failures) failures: \(delay) s, in [\(base / 2), \(base)]")
        }
    }
}
