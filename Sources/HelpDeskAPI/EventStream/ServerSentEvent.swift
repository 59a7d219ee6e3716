/// One message of a `text/event-stream` (the WHATWG server-sent events format), as sent or as parsed.
///
/// On the Help Desk's `GET /events/stream` every decision is one event: `id` is the event feed's cursor (`evt_<n>`,
/// the same as `GET /events` gives), `event` is ``decisionType``, and `data` is one ``DocumentEvent`` as JSON.
public struct ServerSentEvent: Sendable, Hashable {
    /// The `event:` field; `message` when the stream sent none.
    public var type: String
    /// The `data:` lines, joined with line feeds.
    public var data: String
    /// The stream's last event id when this event was dispatched (the `id:` of this event or of an earlier one).
    public var lastEventId: String?

    /// The `event:` type of a decision on the Help Desk's stream.
    public static let decisionType = "document.decided"
    /// The type of an event that names none.
    public static let defaultType = "message"

    public init(type: String = defaultType, data: String, lastEventId: String? = nil) {
        self.type = type
        self.data = data
        self.lastEventId = lastEventId
    }

    /// The event as it goes on the wire: `id:`, `event:` and one `data:` line per line of `data`, then a blank line.
    public var encoded: String {
        var text = ""
        if let lastEventId { text += "id: \(lastEventId)\n" }
        if type != Self.defaultType { text += "event: \(type)\n" }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) { text += "data: \(line)\n" }
        return text + "\n"
    }

    /// A comment line, which a client ignores; servers send them to keep an idle stream's connection alive.
    public static func comment(_ text: String) -> String { ": \(text)\n\n" }

    /// The `retry:` field alone: how long a client should wait before reconnecting, in milliseconds.
    public static func retry(milliseconds: Int) -> String { "retry: \(milliseconds)\n\n" }
}
