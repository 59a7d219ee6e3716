import Flows
import HelpDeskAPI
import MockHelpDesk
import ServerSupport
import SimulationSupport
import TestSupport
import Synchronization
import Testing

@testable import Flows

/// Each strategy from `POST /reviews` to a decided row, over real HTTP, stepping model time event by event.
///
/// Three documents are submitted at t = 0, 0.2 and 0.4 s; each review takes 3.5 s.
@Suite(.timeLimit(.minutes(1)))
struct StrategyEndToEndTests {
    static let documents = 3

    @Test(arguments: HelpDeskTransportKind.allCases) func webhookDeliversOncePerDocument(transport: HelpDeskTransportKind) async throws {
        try await FlowHarness.run(transport: transport, strategy: .webhook) { harness in
            try await harness.submitStaggered(Self.documents)
            #expect(try await harness.runUntilAllDecided(limit: 10))
            try await harness.expectRowsMatchTheHelpDesk(count: Self.documents)
            let deliveries = harness.desk.stats().deliveries
            #expect(deliveries.attempts == Self.documents)
            #expect(deliveries.delivered == Self.documents)
            #expect(harness.app.strategyCounts.requests == Self.documents, "one delivery received per document")
            #expect(harness.app.strategyCounts.wasted == 0)
            #expect(harness.app.receiverTraffic.requests == Self.documents)
            #expect(harness.app.client.traffic.totalRequests == Self.documents, "the submissions only")
            #expect(harness.app.ledger.snapshot.applied == Self.documents)
        }
    }

    @Test(arguments: HelpDeskTransportKind.allCases) func thinWebhooksFetchEachStateOnce(transport: HelpDeskTransportKind) async throws {
        try await FlowHarness.run(transport: transport, strategy: .webhookThin) { harness in
            try await harness.submitStaggered(Self.documents)
            #expect(try await harness.runUntilAllDecided(limit: 10))
            try await harness.expectRowsMatchTheHelpDesk(count: Self.documents)
            #expect(harness.desk.stats().deliveries.attempts == Self.documents)
            #expect(harness.app.client.traffic.requests[.thinFetch] == Self.documents)
            #expect(harness.app.strategyCounts.requests == 2 * Self.documents, "a delivery and a fetch per document")
            #expect(harness.app.strategyCounts.wasted == 0)
            #expect(try await harness.store.pendingThinNotifications(limit: 10).isEmpty)
        }
    }

    @Test(arguments: HelpDeskTransportKind.allCases) func fixedPollingMakesFloorDOverIPlusOneRequests(transport: HelpDeskTransportKind) async throws {
        try await FlowHarness.run(transport: transport, strategy: .pollFixed(interval: .seconds(1))) { harness in
            try await harness.submitStaggered(Self.documents)
            #expect(try await harness.runUntilAllDecided(limit: 10))
            try await harness.expectRowsMatchTheHelpDesk(count: Self.documents)
            // D = 3.5 s, I = 1 s: polls at +1, +2, +3 (pending) and +4 (decided).
            #expect(harness.app.strategyCounts.requests == 4 * Self.documents)
            #expect(harness.app.strategyCounts.wasted == 3 * Self.documents)
            #expect(harness.app.client.traffic.requests[.status] == 4 * Self.documents)
            #expect(harness.desk.stats().deliveries.messages == 0, "a polling app registers no callback")
        }
    }

    @Test(arguments: HelpDeskTransportKind.allCases) func conditionalPollingIsAnswered304WhileNothingChanges(transport: HelpDeskTransportKind) async throws {
        try await FlowHarness.run(transport: transport, strategy: .pollConditional(interval: .seconds(1))) { harness in
            try await harness.submitStaggered(Self.documents)
            #expect(try await harness.runUntilAllDecided(limit: 10))
            try await harness.expectRowsMatchTheHelpDesk(count: Self.documents)
            #expect(harness.app.strategyCounts.requests == 4 * Self.documents)
            let stats = harness.desk.stats()
            #expect(stats.requests.contains(.init(route: "GET /document/{documentId}", status: 304, count: 2 * Self.documents)), "the first poll has no ETag yet")
            #expect(stats.requests.contains(.init(route: "GET /document/{documentId}", status: 200, count: 2 * Self.documents)))
        }
    }

    @Test(arguments: HelpDeskTransportKind.allCases) func backoffPollingFollowsItsSeededFullJitterSchedule(transport: HelpDeskTransportKind) async throws {
        // The schedule written out: before poll n, a draw in [0, min(8 s, 0.5 s × 2ⁿ⁻¹)] seeded by the document and n.
        func delay(_ attempt: Int, _ documentId: String) -> Duration {
            var random = SeededGenerator(seed: 42, stream: "poll-backoff/" + documentId, index: UInt64(attempt))
            var ceiling = 0.5
            for _ in 1..<attempt { ceiling *= 2 }
            return .seconds(min(8, ceiling) * random.nextUnit())
        }
        try await FlowHarness.run(transport: transport, strategy: .pollBackoff(initial: .milliseconds(500), factor: 2, cap: .seconds(8))) { harness in
            try await harness.submitStaggered(Self.documents)
            #expect(try await harness.runUntilAllDecided(limit: 60))
            try await harness.expectRowsMatchTheHelpDesk(count: Self.documents)
            var expected = 0
            for review in try await harness.store.reviews(status: nil, limit: 10) {
                var elapsed: Duration = .zero
                var attempt = 0
                while elapsed < FlowHarness.reviewDelay {
                    attempt += 1
                    elapsed += delay(attempt, review.documentId)
                }
                expected += attempt
            }
            #expect(harness.app.strategyCounts.requests == expected)
            #expect(harness.app.strategyCounts.wasted == expected - Self.documents)
        }
    }

    @Test(arguments: HelpDeskTransportKind.allCases) func longPollingAsksOncePerDocumentAndLearnsAtOnce(transport: HelpDeskTransportKind) async throws {
        try await FlowHarness.run(transport: transport, strategy: .longPoll(wait: .seconds(30))) { harness in
            try await harness.submitStaggered(Self.documents)
            // Each long-poll is held by the Help Desk until its 30 s wait ends (our client gives up 15 s later): wait
            // for all three to be parked.
            await harness.clock.waitForSleepers { deadlines in
                deadlines.filter { $0 >= FlowHarness.at(30) && $0 < FlowHarness.at(45) }.count == Self.documents
            }
            for index in 0..<Self.documents {
                // The next deadline of any queue is the next review's decision: the long-polls wait outside the queues.
                let decision = try #require(harness.simulation.activity.earliestDeadline)
                harness.clock.advance(to: .init(offset: decision.offset))
                await harness.app.ledger.waitForApplied(count: index + 1)
            }
            try await harness.expectRowsMatchTheHelpDesk(count: Self.documents)
            #expect(harness.app.strategyCounts.requests == Self.documents)
            #expect(harness.app.strategyCounts.wasted == 0)
        }
    }

    @Test(arguments: HelpDeskTransportKind.allCases) func aLongPollThatTimesOutAsksAgain(transport: HelpDeskTransportKind) async throws {
        try await FlowHarness.run(transport: transport, strategy: .longPoll(wait: .seconds(2))) { harness in
            _ = try await harness.submit()
            await harness.clock.waitForSleeper(at: FlowHarness.at(2))
            harness.clock.advance(to: FlowHarness.at(2))
            await harness.clock.waitForSleeper(at: FlowHarness.at(4))
            harness.clock.advance(to: FlowHarness.at(3.5))
            await harness.app.ledger.waitForApplied(count: 1)
            try await harness.expectRowsMatchTheHelpDesk(count: 1)
            #expect(harness.app.strategyCounts.requests == 2)
            #expect(harness.app.strategyCounts.wasted == 1)
        }
    }

    @Test(arguments: HelpDeskTransportKind.allCases) func eventPollingReadsTheFeedOncePerInterval(transport: HelpDeskTransportKind) async throws {
        try await FlowHarness.run(transport: transport, strategy: .pollEvents(interval: .seconds(1))) { harness in
            try await harness.submitStaggered(Self.documents)
            #expect(try await harness.runUntilAllDecided(limit: 10))
            try await harness.expectRowsMatchTheHelpDesk(count: Self.documents)
            // Reads at 1, 2, 3 find nothing; the read at 4 finds all three decisions.
            #expect(harness.app.strategyCounts.requests == 4)
            #expect(harness.app.strategyCounts.wasted == 3)
            #expect(try await harness.store.eventCursor(named: EventPollingStrategy.cursorName) == "evt_3")
        }
    }

    @Test(arguments: HelpDeskTransportKind.allCases) func hybridNeedsNoRequestWhileWebhooksWork(transport: HelpDeskTransportKind) async throws {
        try await FlowHarness.run(transport: transport, strategy: .hybrid(sweep: .seconds(60), staleAfter: .seconds(120))) { harness in
            try await harness.submitStaggered(Self.documents)
            #expect(try await harness.runUntilAllDecided(limit: 10))
            try await harness.expectRowsMatchTheHelpDesk(count: Self.documents)
            await harness.clock.run(harness.simulation.activity, until: FlowHarness.at(130)) { false }
            #expect(harness.app.strategyCounts.requests == Self.documents, "the deliveries only: no sweep read the feed")
            #expect(harness.app.client.traffic.requests[.events] == nil)
            #expect(harness.desk.stats().deliveries.delivered == Self.documents)
        }
    }

    @Test(arguments: HelpDeskTransportKind.allCases) func hybridSettlesWhatDroppedWebhooksLost(transport: HelpDeskTransportKind) async throws {
        try await FlowHarness.run(transport: transport, strategy: .hybrid(sweep: .seconds(60), staleAfter: .seconds(120)), configureDesk: { $0.faults.dropWebhookRatio = 1 }) {
            harness in
            try await harness.submitStaggered(Self.documents)
            #expect(try await harness.runUntilAllDecided(limit: 200))
            try await harness.expectRowsMatchTheHelpDesk(count: Self.documents)
            #expect(harness.desk.stats().deliveries.dropped == Self.documents)
            // The sweep at 60 s finds no row pending for 120 s yet; the sweep at 120 s finds the first and reads the feed once.
            #expect(harness.simulation.now.offset == .seconds(120))
            #expect(harness.app.strategyCounts.requests == 1)
            #expect(harness.app.ledger.snapshot.applied == Self.documents)
        }
    }

    @Test func aWebhookThatBeatsTheInsertIsNotLost() async throws {
        let documents = 20
        try await FlowHarness.run(strategy: .webhook, configureDesk: { $0.reviewDelay = .uniform(.zero ... .zero) }) { harness in
            for index in 0..<documents {
                _ = try await harness.submit("https://example.com/\(index).pdf")
            }
            #expect(try await harness.runUntilAllDecided(limit: 10))
            try await harness.expectRowsMatchTheHelpDesk(count: documents)
            #expect(harness.app.ledger.snapshot.applied == documents)
        }
    }

    @Test func aPollerStartedLaterSettlesTheRowsAnotherRunLeftPending() async throws {
        // The first app waits for webhooks that are all dropped, so its rows stay pending.
        try await FlowHarness.run(strategy: .webhook, configureDesk: { $0.faults.dropWebhookRatio = 1 }) { harness in
            try await harness.submitStaggered(Self.documents)
            await harness.clock.run(harness.simulation.activity, until: FlowHarness.at(10)) { false }
            #expect(try await harness.store.reviews(status: .pendingReview, limit: 10).count == Self.documents)

            let poller = ReviewApp(
                configuration: ReviewAppConfiguration(helpDeskURL: harness.deskURL, strategy: .pollFixed(interval: .seconds(1)), webhookSecrets: [harness.secret]),
                store: harness.store,
                clock: harness.simulation,
                logger: .quiet,
                wallClock: harness.wallClock
            )
            let settled = try await withRunningApplication({ poller.makeApplication(port: 0, onServerRunning: $0) }) { _ in
                // Nothing else sleeps at t = 10: the first sleeper is the new poller's, once it has loaded the pending rows.
                await harness.clock.waitForSleepers { !$0.isEmpty }
                return try await harness.runUntilAllDecided(limit: 20)
            }
            #expect(settled)
            try await harness.expectRowsMatchTheHelpDesk(count: Self.documents)
            #expect(poller.strategyCounts.requests == Self.documents, "one poll each, a second after the poller started")
        }
    }

    @Test func submissionsAnInterruptedRunLeftBehindAreFinishedAtTheNextStart() async throws {
        let answered = SubmissionIntent(documentUrl: "https://example.com/answered.pdf")
        let unsent = SubmissionIntent(documentUrl: "https://example.com/unsent.pdf")
        let mismatched = SubmissionIntent(documentUrl: "https://example.com/mismatched.pdf")
        let stored = Mutex<String?>(nil)
        try await FlowHarness.run(strategy: .pollFixed(interval: .seconds(1)), beforeAppStarts: { store, deskURL in
            // A previous run stored three intents and stopped: the Help Desk had accepted the first, never saw the
            // second, and knows the third's key from another request.
            for intent in [answered, unsent, mismatched] { try await store.recordIntent(intent) }
            try await TestHTTPClient.with(baseURL: deskURL) { desk in
                let first = try await desk.sendJSON(.POST, "/document", ["documentUrl": answered.documentUrl], headers: [(HelpDeskHeader.idempotencyKey, answered.key)])
                try #require(first.status == 201)
                stored.withLock { $0 = try? first.decode(SubmitDocumentResponse.self).documentId }
                let other = try await desk.sendJSON(.POST, "/document", ["documentUrl": "https://example.com/other.pdf"], headers: [(HelpDeskHeader.idempotencyKey, mismatched.key)])
                try #require(other.status == 201)
            }
        }) { harness in
            #expect(await harness.app.resumptionAtStart() == 2)
            #expect(harness.desk.stats().documents.submitted == 3, "the answered one was not made twice")
            let answeredId = try #require(stored.withLock { $0 })
            #expect(try await harness.store.review(documentId: answeredId)?.documentUrl == answered.documentUrl)
            #expect(try await harness.store.openIntents(limit: 10).isEmpty, "the refused one is forgotten")
            #expect(try await harness.runUntilAllDecided(limit: 20))
            try await harness.expectRowsMatchTheHelpDesk(count: 2)
        }
    }
}
