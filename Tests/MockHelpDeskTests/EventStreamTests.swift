import AsyncHTTPClient
import Foundation
import HelpDeskAPI
import ServerSupport
import SimulationSupport
import TestSupport
import Testing

@testable import MockHelpDesk

/// `GET /events/stream`: server-sent events over real HTTP, with model time stepped by hand.
@Suite(.timeLimit(.minutes(1)))
struct EventStreamTests {
    private func open(_ harness: HelpDeskHarness, headers: [(String, String)] = [], query: String = "") async throws -> StreamReader {
        try await StreamReader.open(harness.client, harness.baseURL + "/events/stream" + query, headers: headers)
    }

    @Test func eachDecisionIsPushedAsItIsMadeWithTheFeedsCursorAsItsId() async throws {
        try await HelpDeskHarness.run { harness in
            let first = try await harness.submit()
            harness.clock.advance(to: HelpDeskHarness.at(1))
            let second = try await harness.submit()
            let stream = try await open(harness)
            #expect(stream.status == 200)
            #expect(stream.header("Content-Type") == "text/event-stream")
            #expect(try await stream.read { $0.retryMilliseconds != nil })
            #expect(stream.retryMilliseconds == 1000, "the default retry hint, one model second")

            await harness.decide(at: 3)
            let pushed = try #require(try await stream.next())
            #expect(pushed.type == ServerSentEvent.decisionType)
            #expect(pushed.lastEventId == "evt_1")
            let event = try HelpDeskJSON.decode(DocumentEvent.self, from: Data(pushed.data.utf8))
            let feed = try await harness.send(.GET, "/events").decode(EventPage.self)
            #expect(event == feed.events.first, "the stream and GET /events say the same")
            #expect(event.documentId == first.documentId)

            await harness.decide(at: 4, count: 2)
            #expect(try await stream.next()?.lastEventId == "evt_2")
            #expect(harness.desk.decisions.map(\.documentId) == [first.documentId, second.documentId])
            let streams = harness.desk.stats().streams
            #expect(streams.opened == 1)
            #expect(streams.open == 1)
            #expect(streams.eventsSent == 2)
            #expect(streams.bytesSent == stream.text.utf8.count)
            #expect(harness.desk.stats().requestCount(route: "GET /events/stream", status: 200) == 1)
        }
    }

    @Test(arguments: [true, false])
    func aStreamResumesRightAfterTheLastEventIdItIsGiven(asHeader: Bool) async throws {
        try await HelpDeskHarness.run { harness in
            for second in 0..<3 {
                harness.clock.advance(to: HelpDeskHarness.at(Double(second)))
                _ = try await harness.submit()
            }
            await harness.decide(at: 3)
            await harness.decide(at: 4, count: 2)
            await harness.decide(at: 5, count: 3)
            let stream = asHeader
                ? try await open(harness, headers: [(HelpDeskHeader.lastEventID, "evt_1")])
                : try await open(harness, query: "?lastEventId=evt_1")
            #expect(stream.status == 200)
            #expect(try await stream.next()?.lastEventId == "evt_2")
            #expect(try await stream.next()?.lastEventId == "evt_3")
            #expect(harness.desk.stats().streams.eventsSent == 2, "evt_1 is not sent again")
        }
    }

    @Test(arguments: [
        ([(HelpDeskHeader.lastEventID, "evt_1")], "", HelpDeskHeader.lastEventID),
        ([(HelpDeskHeader.lastEventID, "42")], "", HelpDeskHeader.lastEventID),
        ([], "?lastEventId=evt_x", "lastEventId"),
        ([], "?lastEventId=evt_7", "lastEventId"),
    ])
    func anUnknownOrFutureIdIsRefusedNamingIt(headers: [(String, String)], query: String, field: String) async throws {
        try await HelpDeskHarness.run { harness in
            let response = try await harness.send(.GET, "/events/stream" + query, headers: headers)
            #expect(response.status == 400)
            #expect(try response.error.field == field)
            #expect(harness.desk.stats().streams.opened == 0)
        }
    }

    @Test func anIdleStreamGetsAHeartbeatEveryInterval() async throws {
        try await HelpDeskHarness.run({ $0.stream.heartbeat = .seconds(10) }) { harness in
            let stream = try await open(harness)
            #expect(try await stream.read { $0.retryMilliseconds != nil })
            await harness.advance(toWhenParked: 10)
            #expect(try await stream.read { $0.comments == 1 })
            await harness.advance(toWhenParked: 20)
            #expect(try await stream.read { $0.comments == 2 })
            #expect(harness.desk.stats().streams.heartbeatsSent == 2)
        }
    }

    @Test func streamsOverTheLimitAreRefusedUntilAPlaceIsFree() async throws {
        try await HelpDeskHarness.run({
            $0.stream.maxStreams = 1
            $0.faults.closeStreamsAfterEvents = 1
        }) { harness in
            _ = try await harness.submit()
            let first = try await open(harness)
            #expect(try await first.read { $0.retryMilliseconds != nil })
            let refused = try await harness.send(.GET, "/events/stream")
            #expect(refused.status == 429)
            #expect(refused.header("Retry-After") == "1")
            // The fault plan ends the first stream after one event, which frees its place.
            await harness.decide(at: 3)
            #expect(try await first.readToEnd().map(\.lastEventId) == ["evt_1"])
            await harness.desk.waitForStats { $0.streams.open == 0 }
            let second = try await open(harness, headers: [(HelpDeskHeader.lastEventID, "evt_1")])
            #expect(second.status == 200)
            let streams = harness.desk.stats().streams
            #expect(streams.refused == 1)
            #expect(streams.closedByServer == 1)
            #expect(streams.opened == 2)
        }
    }

    @Test func aGracefulShutdownEndsAnOpenStreamCleanlyAndAtOnce() async throws {
        let clock = ManualClock()
        let desk = try MockHelpDesk(secret: .generate(), clock: SimulationClock(base: clock), logger: .quiet)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        // Model time never moves: a shutdown that waited for the next heartbeat would never end.
        let stream = try await withRunningApplication({ desk.makeApplication(port: 0, onServerRunning: $0) }) { port in
            let stream = try await StreamReader.open(client, "http://127.0.0.1:\(port)/events/stream")
            #expect(try await stream.read { $0.retryMilliseconds != nil })
            return stream
        }
        #expect(try await stream.readToEnd().isEmpty, "the body ends without an error")
        #expect(desk.stats().streams.closedByServer == 1)
        #expect(desk.stats().streams.open == 0)
        try await client.shutdown()
    }
}
