/// An incremental parser of `text/event-stream` bodies, as the WHATWG HTML standard specifies them: feed it bytes in
/// pieces of any size and it returns the events completed so far.
///
/// Lines end with CRLF, LF or CR (a CRLF split across two pieces is one line end); a leading byte order mark is
/// skipped; `data:` lines accumulate, joined with LF; a line starting with `:` is a comment; a field without a colon
/// has an empty value; one space after the colon is dropped; unknown fields are ignored; an `id` containing NUL is
/// ignored; `retry:` takes only ASCII digits. A blank line dispatches the event, unless no `data:` line was seen.
/// An event that a stream's end cuts off is never dispatched.
public struct EventStreamParser: Sendable {
    /// The stream's last event id: it outlives the event that set it, as the standard asks, and is what a client sends
    /// as `Last-Event-ID` when it reconnects.
    public private(set) var lastEventId: String?
    /// The latest `retry:` value, milliseconds.
    public private(set) var retryMilliseconds: Int?
    /// Comment lines seen, heartbeats among them.
    public private(set) var comments = 0

    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var type: [UInt8] = []
    private var afterCarriageReturn = false
    /// Bytes of a leading byte order mark matched so far; `nil` once the stream is past its start.
    private var byteOrderMarkMatched: Int? = 0
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The most bytes one line may hold; a longer line is an error rather than unbounded memory.
    public let maxLineBytes: Int

    public init(maxLineBytes: Int = 1 << 20) {
        self.maxLineBytes = maxLineBytes
    }

    /// Feeds the next piece of the stream.
    /// - Returns: The events completed by this piece, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(EventStreamError) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if let matched = byteOrderMarkMatched {
                if byte == Self.byteOrderMark[matched] {
                    byteOrderMarkMatched = matched + 1 < Self.byteOrderMark.count ? matched + 1 : nil
                    continue
                }
                // Not a byte order mark after all: what looked like one starts the first line.
                byteOrderMarkMatched = nil
                for each in Self.byteOrderMark.prefix(matched) { if let event = try take(each) { events.append(event) } }
            }
            if let event = try take(byte) { events.append(event) }
        }
        return events
    }

    private mutating func take(_ byte: UInt8) throws(EventStreamError) -> ServerSentEvent? {
        switch byte {
        case UInt8(ascii: "\n"):
            if afterCarriageReturn {
                afterCarriageReturn = false
                return nil
            }
            return endLine()
        case UInt8(ascii: "\r"):
            afterCarriageReturn = true
            return endLine()
        default:
            afterCarriageReturn = false
            guard line.count < maxLineBytes else { throw EventStreamError.lineTooLong(limit: maxLineBytes) }
            line.append(byte)
            return nil
        }
    }

    private mutating func endLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        guard !line.isEmpty else { return dispatch() }
        if line.first == UInt8(ascii: ":") {
            comments += 1
            return nil
        }
        let name: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            name = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        } else {
            name = line[...]
            value = []
        }
        switch String(decoding: name, as: UTF8.self) {
        case "data":
            if hasData { data.append(UInt8(ascii: "\n")) }
            data.append(contentsOf: value)
            hasData = true
        case "event":
            type = Array(value)
        case "id":
            if !value.contains(0) {
                let id = String(decoding: value, as: UTF8.self)
                lastEventId = id.isEmpty ? nil : id
            }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                let milliseconds = Int(String(decoding: value, as: UTF8.self))
            {
                retryMilliseconds = milliseconds
            }
        default:
            break
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            data.removeAll(keepingCapacity: true)
            type.removeAll(keepingCapacity: true)
            hasData = false
        }
        guard hasData else { return nil }
        return ServerSentEvent(
            type: type.isEmpty ? ServerSentEvent.defaultType : String(decoding: type, as: UTF8.self),
            data: String(decoding: data, as: UTF8.self),
            lastEventId: lastEventId
        )
    }
}

/// A stream the parser refuses.
public enum EventStreamError: Error, Sendable, Hashable, CustomStringConvertible {
    case lineTooLong(limit: Int)

    public var description: String {
        switch self {
        case .lineTooLong(let limit): "an event stream line is longer than \(limit) bytes"
        }
    }
}
