import HelpDeskAPI
import Testing

@testable import MockHelpDesk

@Suite(.timeLimit(.minutes(1)))
struct EventFeedTests {
    @Test func theFeedListsDecisionsInOrderFromACursor() async throws {
        try await HelpDeskHarness.run { harness in
            var submitted: [String] = []
            for second in 0..<3 {
                harness.clock.advance(to: HelpDeskHarness.at(Double(second)))
                submitted.append(try await harness.submit().documentId)
            }
            let empty = try await harness.send(.GET, "/events").decode(EventPage.self)
            #expect(empty == EventPage(events: [], nextCursor: "evt_0"))

            await harness.decide(at: 3)
            await harness.decide(at: 4, count: 2)
            await harness.decide(at: 5, count: 3)

            let first = try await harness.send(.GET, "/events?limit=2").decode(EventPage.self)
            #expect(first.events.map(\.documentId) == Array(submitted.prefix(2)))
            #expect(first.events.map(\.id) == ["evt_1", "evt_2"])
            #expect(first.events.map(\.version) == [2, 2])
            #expect(first.nextCursor == "evt_2")
            #expect(first.events.map(\.documentStatus) == harness.desk.decisions.prefix(2).map(\.verdict))

            let rest = try await harness.send(.GET, "/events?after=\(first.nextCursor)").decode(EventPage.self)
            #expect(rest.events.map(\.documentId) == [submitted[2]])
            #expect(rest.nextCursor == "evt_3")

            let end = try await harness.send(.GET, "/events?after=evt_3").decode(EventPage.self)
            #expect(end == EventPage(events: [], nextCursor: "evt_3"))
        }
    }

    @Test func aLongPollOfTheFeedAnswersWithTheNextDecision() async throws {
        try await HelpDeskHarness.run { harness in
            let document = try await harness.submit()
            async let polled = harness.send(.GET, "/events?after=evt_0&wait=30")
            await harness.clock.waitForSleeper(at: HelpDeskHarness.at(30))
            await harness.advance(toWhenParked: 3)
            let page = try await polled.decode(EventPage.self)
            #expect(page.events.map(\.documentId) == [document.documentId])
        }
    }

    @Test func aLongPollOfTheFeedEndsEmptyWhenNothingIsDecided() async throws {
        try await HelpDeskHarness.run { harness in
            async let polled = harness.send(.GET, "/events?wait=5")
            await harness.advance(toWhenParked: 5)
            let page = try await polled.decode(EventPage.self)
            #expect(page == EventPage(events: [], nextCursor: "evt_0"))
        }
    }

    @Test(arguments: [
        ("after=evt_1", "after"), ("after=42", "after"), ("after=evt_x", "after"), ("limit=0", "limit"), ("limit=1001", "limit"),
        ("limit=ten", "limit"), ("wait=-5", "wait"),
    ])
    func badParametersAreRefusedNamingThem(query: String, field: String) async throws {
        try await HelpDeskHarness.run { harness in
            let response = try await harness.send(.GET, "/events?\(query)")
            #expect(response.status == 400)
            #expect(try response.error.field == field)
        }
    }
}
