import NIOCore

/// Splits a stream of HTTP/1.1 responses into (status, body length) pairs, for a load generator that sends one
/// request at a time per connection and needs nothing of the answer but its status.
///
/// It reads the status line and `Content-Length`, and skips the body. A response without `Content-Length` (chunked or
/// read until close) is refused: the servers under test always send one.
struct HTTPResponseScanner {
    struct Response: Equatable {
        var status: Int
        var bodyLength: Int
    }

    enum ScanError: Error, Equatable {
        case malformedStatusLine
        case missingContentLength
        case headTooLarge
    }

    private var pending = ByteBuffer()
    /// The largest response head accepted.
    static let maxHeadBytes = 16 * 1024

    /// Adds bytes read from the connection.
    mutating func feed(_ buffer: inout ByteBuffer) {
        if pending.readableBytes == 0 {
            swap(&pending, &buffer)
        } else {
            pending.writeBuffer(&buffer)
        }
    }

    /// The next complete response, if the bytes fed so far hold one.
    mutating func next() throws(ScanError) -> Response? {
        let view = pending.readableBytesView
        guard let headEnd = Self.endOfHead(in: view) else {
            if view.count > Self.maxHeadBytes { throw .headTooLarge }
            return nil
        }
        let head = view[view.startIndex..<headEnd]
        let status = try Self.status(of: head)
        guard let length = Self.contentLength(in: head) else { throw .missingContentLength }
        let total = headEnd - view.startIndex + 4 + length
        guard view.count >= total else { return nil }
        pending.moveReaderIndex(forwardBy: total)
        if pending.readableBytes == 0 { pending.clear() }
        return Response(status: status, bodyLength: length)
    }

    /// The index of the `\r\n\r\n` that ends the head.
    private static func endOfHead(in view: ByteBufferView) -> ByteBufferView.Index? {
        var index = view.startIndex
        let last = view.endIndex - 3
        while index < last {
            if view[index] == 13, view[index + 1] == 10, view[index + 2] == 13, view[index + 3] == 10 { return index }
            index += 1
        }
        return nil
    }

    /// The three digits after `HTTP/1.x `.
    private static func status(of head: ByteBufferView.SubSequence) throws(ScanError) -> Int {
        let start = head.startIndex
        guard head.count >= 12, head[start] == UInt8(ascii: "H"), head[start + 8] == UInt8(ascii: " ") else {
            throw .malformedStatusLine
        }
        var status = 0
        for offset in 9..<12 {
            let digit = head[start + offset]
            guard (48...57).contains(digit) else { throw .malformedStatusLine }
            status = status * 10 + Int(digit - 48)
        }
        return status
    }

    /// The value of the `Content-Length` header, matched without regard to case.
    private static func contentLength(in head: ByteBufferView.SubSequence) -> Int? {
        let name = contentLengthName
        var index = head.startIndex
        while index + name.count <= head.endIndex {
            var matches = true
            for offset in 0..<name.count where Self.lowercased(head[index + offset]) != name[offset] {
                matches = false
                break
            }
            if matches {
                var cursor = index + name.count
                while cursor < head.endIndex, head[cursor] == UInt8(ascii: " ") { cursor += 1 }
                var value = 0
                var digits = 0
                while cursor < head.endIndex, (48...57).contains(head[cursor]) {
                    value = value * 10 + Int(head[cursor] - 48)
                    digits += 1
                    cursor += 1
                }
                return digits > 0 ? value : nil
            }
            index += 1
        }
        return nil
    }

    private static let contentLengthName = Array("\r\ncontent-length:".utf8)

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (65...90).contains(byte) ? byte + 32 : byte
    }
}
