import AsyncHTTPClient
import HelpDeskAPI
import NIOCore

/// A test's view of one `GET /events/stream`: the answer's head, then its events one at a time as they arrive.
/// Used by one task at a time.
final class StreamReader: @unchecked Sendable {
    let status: Int
    let headers: [(String, String)]
    private var body: HTTPClientResponse.Body.AsyncIterator
    private var parser = EventStreamParser()
    private var ready: [ServerSentEvent] = []
    /// The raw text received so far.
    private(set) var text = ""

    private init(status: Int, headers: [(String, String)], body: HTTPClientResponse.Body) {
        self.status = status
        self.headers = headers
        self.body = body.makeAsyncIterator()
    }

    static func open(_ client: HTTPClient, _ url: String, headers: [(String, String)] = []) async throws -> StreamReader {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, timeout: .seconds(30))
        return StreamReader(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: response.body)
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var lastEventId: String? { parser.lastEventId }
    var retryMilliseconds: Int? { parser.retryMilliseconds }
    var comments: Int { parser.comments }

    /// Reads until `predicate` holds of the parser; `false` if the stream ended first.
    func read(until predicate: (EventStreamParser) -> Bool) async throws -> Bool {
        while !predicate(parser) {
            guard let buffer = try await body.next() else { return false }
            text += String(buffer: buffer)
            ready += try parser.feed(buffer.readableBytesView)
        }
        return true
    }

    /// The next event, or `nil` when the stream ends.
    func next() async throws -> ServerSentEvent? {
        while ready.isEmpty {
            guard let buffer = try await body.next() else { return nil }
            text += String(buffer: buffer)
            ready += try parser.feed(buffer.readableBytesView)
        }
        return ready.removeFirst()
    }

    /// Reads to the end of the stream and returns the events on the way; throws if it does not end cleanly.
    func readToEnd() async throws -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        while let event = try await next() { events.append(event) }
        return events
    }
}
