import Foundation
import HelpDeskAPI
import ServerSupport

/// A webhook body: full when it carries `documentStatus` or `agentId`, thin when it carries only `documentId`.
enum IncomingWebhook: Decodable, Hashable {
    case full(WebhookPayload)
    case thin(documentId: String)

    private enum CodingKeys: String, CodingKey {
        case agentId, documentId, documentStatus, metadata
    }

    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        guard fields.contains(.documentStatus) || fields.contains(.agentId) else {
            self = .thin(documentId: try fields.decode(String.self, forKey: .documentId))
            return
        }
        self = .full(
            WebhookPayload(
                agentId: try fields.decode(String.self, forKey: .agentId),
                documentId: try fields.decode(String.self, forKey: .documentId),
                documentStatus: try fields.decode(DocumentStatus.self, forKey: .documentStatus),
                metadata: try fields.decodeIfPresent([String: String].self, forKey: .metadata)
            )
        )
    }

    /// Decodes a body, answering 400 for what is not a JSON object and 422 naming the field for the rest.
    ///
    /// The bodies vendors send are read by ``PlainWebhookBody`` in one pass over the bytes; any other body (escapes,
    /// non-ASCII text, other fields, a field missing or mistyped, ...) by `Codable`, so that both accept and refuse
    /// exactly the same bodies, with the same answer.
    static func decode(_ body: Data) throws(APIError) -> IncomingWebhook {
        if let plain = body.withUnsafeBytes({ PlainWebhookBody.read($0) }) { return try validated(plain) }
        return try validated(decodeWithCodable(body))
    }

    /// The `Codable` reading alone.
    static func decodeWithCodable(_ body: Data) throws(APIError) -> IncomingWebhook {
        do {
            return try HelpDeskJSON.decode(IncomingWebhook.self, from: body)
        } catch {
            guard error.field != nil else { throw APIError(.badRequest, "the body must be a JSON object") }
            throw APIError(.unprocessableContent, error.description, field: error.field)
        }
    }

    /// What both readings check after decoding: a document id, and a verdict in a full webhook.
    static func validated(_ webhook: IncomingWebhook) throws(APIError) -> IncomingWebhook {
        guard !webhook.documentId.isEmpty else {
            throw APIError(.unprocessableContent, "documentId: must not be empty", field: "documentId")
        }
        if case .full(let payload) = webhook, !payload.documentStatus.isDecided {
            throw APIError(.unprocessableContent, "documentStatus: must be ACCEPTED or DECLINED", field: "documentStatus")
        }
        return webhook
    }

    var documentId: String {
        switch self {
        case .full(let payload): payload.documentId
        case .thin(let documentId): documentId
        }
    }
}

/// The plain form of a webhook body, read byte by byte: one JSON object whose members are `agentId`, `documentId`,
/// `documentStatus` (each a string of printable ASCII without escapes; the status one of ``DocumentStatus``) and
/// optionally `metadata` (`null`, or an object of such strings), each at most once, in any order, with JSON white
/// space anywhere between tokens. `read` gives `nil` for anything else, including a full webhook missing one of its
/// fields, and the caller falls back to `Codable`.
enum PlainWebhookBody {
    static func read(_ bytes: UnsafeRawBufferPointer) -> IncomingWebhook? {
        var reader = Reader(bytes: bytes)
        var agentId: String?
        var documentId: String?
        var status: DocumentStatus?
        var metadata: [String: String]?
        var sawMetadata = false
        guard reader.take(UInt8(ascii: "{")) else { return nil }
        if !reader.take(UInt8(ascii: "}")) {
            repeat {
                guard let key = reader.plainString(), reader.take(UInt8(ascii: ":")) else { return nil }
                switch key {
                case "agentId":
                    guard agentId == nil, let value = reader.plainString() else { return nil }
                    agentId = value
                case "documentId":
                    guard documentId == nil, let value = reader.plainString() else { return nil }
                    documentId = value
                case "documentStatus":
                    guard status == nil, let value = reader.plainString(), let decoded = DocumentStatus(rawValue: value) else { return nil }
                    status = decoded
                case "metadata":
                    guard !sawMetadata else { return nil }
                    sawMetadata = true
                    if reader.takeNull() { break }
                    guard let object = reader.plainObject() else { return nil }
                    metadata = object
                default:
                    return nil
                }
            } while reader.take(UInt8(ascii: ","))
            guard reader.take(UInt8(ascii: "}")) else { return nil }
        }
        guard reader.atEnd, let documentId else { return nil }
        if agentId == nil, status == nil { return .thin(documentId: documentId) }
        guard let agentId, let status else { return nil }
        return .full(WebhookPayload(agentId: agentId, documentId: documentId, documentStatus: status, metadata: metadata))
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        init(bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
            skipSpace()
        }

        var atEnd: Bool { index == bytes.count }

        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        /// Consumes `byte` and the white space after it.
        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            skipSpace()
            return true
        }

        mutating func takeNull() -> Bool {
            guard bytes.count - index >= 4, bytes[index] == UInt8(ascii: "n"), bytes[index + 1] == UInt8(ascii: "u"),
                bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l")
            else { return false }
            index += 4
            skipSpace()
            return true
        }

        /// A string of printable ASCII without escapes, and the white space after it.
        mutating func plainString() -> String? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            let start = index + 1
            var end = start
            while end < bytes.count {
                let byte = bytes[end]
                if byte == UInt8(ascii: "\"") { break }
                guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
                end += 1
            }
            guard end < bytes.count else { return nil }
            index = end + 1
            skipSpace()
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }

        /// An object of plain strings with distinct keys.
        mutating func plainObject() -> [String: String]? {
            guard take(UInt8(ascii: "{")) else { return nil }
            var object: [String: String] = [:]
            if take(UInt8(ascii: "}")) { return object }
            repeat {
                guard let key = plainString(), take(UInt8(ascii: ":")), let value = plainString(), object.updateValue(value, forKey: key) == nil else {
                    return nil
                }
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "}")) ? object : nil
        }
    }
}
