import HelpDeskAPI
import Testing

/// The `text/event-stream` parser against the WHATWG rules, with the stream cut into pieces every possible way.
struct EventStreamParserTests {
    /// Parses `text` fed in pieces of `size` bytes.
    private func parse(_ text: String, pieces size: Int = .max) throws -> (events: [ServerSentEvent], parser: EventStreamParser) {
        var parser = EventStreamParser()
        var events: [ServerSentEvent] = []
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + size)
            events += try parser.feed(bytes[start..<end])
            start = end
        }
        return (events, parser)
    }

    private static let stream = """
        retry: 1500

        : heartbeat

        id: evt_1
        event: document.decided
        data: {"a":1}

        id: evt_2
        event: document.decided
        data: {"b":2}


        """

    @Test(arguments: [1, 2, 3, 7, 64, Int.max])
    func eventsSplitAcrossReadsAreParsedTheSame(pieceSize: Int) throws {
        let (events, parser) = try parse(Self.stream, pieces: pieceSize)
        #expect(events == [
            ServerSentEvent(type: "document.decided", data: #"{"a":1}"#, lastEventId: "evt_1"),
            ServerSentEvent(type: "document.decided", data: #"{"b":2}"#, lastEventId: "evt_2"),
        ])
        #expect(parser.lastEventId == "evt_2")
        #expect(parser.retryMilliseconds == 1500)
        #expect(parser.comments == 1)
    }

    @Test(arguments: ["\n", "\r\n", "\r"])
    func everyLineEndingWorks(ending: String) throws {
        let text = ["id: 7", "data: one", "data: two", "", "data: three", "", ""].joined(separator: ending)
        for size in [1, 2, Int.max] {
            let (events, _) = try parse(text, pieces: size)
            #expect(events == [
                ServerSentEvent(data: "one\ntwo", lastEventId: "7"),
                ServerSentEvent(data: "three", lastEventId: "7"),
            ], "line ending \(ending.debugDescription), pieces of \(size)")
        }
    }

    @Test func aCarriageReturnLineFeedSplitBetweenReadsIsOneLineEnd() throws {
        var parser = EventStreamParser()
        #expect(try parser.feed(Array("data: x\r".utf8)).isEmpty)
        // Had the LF started a line of its own, this blank line would be a second one and end nothing.
        #expect(try parser.feed(Array("\n\r\n".utf8)) == [ServerSentEvent(data: "x")])
    }

    @Test func fieldsFollowTheStandardsRules() throws {
        let text = [
            "data",  // no colon: the field with an empty value
            "data:  two spaces",  // only the first space after the colon goes
            "unknown: ignored",
            "event:custom",
            "retry: 12x",  // not all digits: ignored
            "",
            "",
        ].joined(separator: "\n")
        let (events, parser) = try parse(text)
        #expect(events == [ServerSentEvent(type: "custom", data: "\n two spaces")])
        #expect(parser.retryMilliseconds == nil)
    }

    @Test func anEventWithoutDataIsNotDispatchedButItsIdIsKept() throws {
        let (events, parser) = try parse("id: evt_9\nevent: ping\n\n")
        #expect(events.isEmpty)
        #expect(parser.lastEventId == "evt_9")
    }

    @Test func anIdWithANulIsIgnoredAndAnEmptyOneResetsIt() throws {
        var (_, parser) = try parse("id: evt_1\ndata: a\n\n")
        _ = try parser.feed(Array("id: bad\u{0}id\ndata: b\n\n".utf8))
        #expect(parser.lastEventId == "evt_1")
        _ = try parser.feed(Array("id\ndata: c\n\n".utf8))
        #expect(parser.lastEventId == nil)
    }

    @Test func aLeadingByteOrderMarkIsSkippedAndOnlyThere() throws {
        let bom = "\u{FEFF}"
        for size in [1, 2, Int.max] {
            let (events, _) = try parse(bom + "data: x\n\n", pieces: size)
            #expect(events == [ServerSentEvent(data: "x")])
        }
        // Bytes that start like a byte order mark but are not one are the line's own.
        var parser = EventStreamParser()
        let events = try parser.feed([0xEF] + Array("data: y\n\n".utf8))
        #expect(events.isEmpty, "the line's field name is not 'data'")
    }

    @Test func anEventCutOffByTheStreamsEndIsNeverDispatched() throws {
        let (events, _) = try parse("data: whole\n\ndata: cut off\n")
        #expect(events == [ServerSentEvent(data: "whole")])
    }

    @Test func anOverlongLineIsRefused() throws {
        var parser = EventStreamParser(maxLineBytes: 16)
        #expect(throws: EventStreamError.lineTooLong(limit: 16)) {
            _ = try parser.feed(Array(("data: " + String(repeating: "x", count: 32)).utf8))
        }
    }

    @Test func whatTheHelpDeskEncodesParsesBackToTheSameEvent() throws {
        let event = ServerSentEvent(type: ServerSentEvent.decisionType, data: "line one\nline two", lastEventId: "evt_3")
        let heartbeat = ServerSentEvent.comment("heartbeat")
        let (events, parser) = try parse(ServerSentEvent.retry(milliseconds: 250) + heartbeat + event.encoded, pieces: 5)
        #expect(events == [event])
        #expect(parser.retryMilliseconds == 250)
        #expect(parser.comments == 1)
    }
}
