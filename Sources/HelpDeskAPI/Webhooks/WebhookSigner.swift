import Crypto
import Foundation

/// The three Standard Webhooks headers of one signed attempt.
public struct WebhookHeaders: Sendable, Hashable {
    public var id: String
    public var timestamp: String
    public var signature: String

    /// The headers as (name, value) pairs.
    public var fields: [(name: String, value: String)] {
        [
            (HelpDeskHeader.webhookID, id),
            (HelpDeskHeader.webhookTimestamp, timestamp),
            (HelpDeskHeader.webhookSignature, signature),
        ]
    }
}

/// Signs webhook bodies the Standard Webhooks way: HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}`.
public struct WebhookSigner: Sendable {
    private let key: KeyedHMAC

    public init(secret: WebhookSecret) {
        self.key = KeyedHMAC(key: secret.key)
    }

    /// The `webhook-signature` value for one message: `v1,<base64 HMAC-SHA256>`.
    /// - Parameters:
    ///   - id: The `webhook-id`.
    ///   - timestamp: The `webhook-timestamp`, Unix seconds.
    ///   - body: The exact bytes sent as the body.
    public func signature(id: String, timestamp: Int64, body: some DataProtocol) -> String {
        let mac = key.mac(id: id, timestamp: String(timestamp), body: body)
        return "v1," + Data(mac).base64EncodedString()
    }

    /// All three headers for one attempt.
    public func headers(id: String, timestamp: Int64, body: some DataProtocol) -> WebhookHeaders {
        WebhookHeaders(id: id, timestamp: String(timestamp), signature: signature(id: id, timestamp: timestamp, body: body))
    }
}

/// HMAC-SHA256 keyed once for a secret (RFC 2104): the SHA-256 states after the key's inner and outer padded blocks
/// are computed once, so each message hashes only its own bytes, and `{id}.{timestamp}.` is fed without building a
/// string. `HMAC<SHA256>` would pad the key again for every message, and its generic updates cost more than the
/// hashing of a short message.
struct KeyedHMAC: @unchecked Sendable {
    // swift-crypto does not declare its hash functions Sendable. These values are never mutated after init; every
    // use mutates a copy, and the states inside are copy-on-write, so the copies never touch the shared state.
    private let inner: SHA256
    private let outer: SHA256

    static let blockSize = 64

    init(key: SymmetricKey) {
        var block = [UInt8](repeating: 0, count: Self.blockSize)
        key.withUnsafeBytes { key in
            if key.count > Self.blockSize {
                SHA256.hash(data: key).withUnsafeBytes { digest in
                    for index in digest.indices { block[index] = digest[index] }
                }
            } else {
                for index in key.indices { block[index] = key[index] }
            }
        }
        var inner = SHA256()
        inner.update(data: block.map { $0 ^ 0x36 })
        var outer = SHA256()
        outer.update(data: block.map { $0 ^ 0x5c })
        self.inner = inner
        self.outer = outer
    }

    /// HMAC-SHA256 of `{id}.{timestamp}.{body}`.
    func mac(id: String, timestamp: String, body: some DataProtocol) -> SHA256.Digest {
        var hash = inner
        Self.update(&hash, id)
        Self.update(&hash, ".")
        Self.update(&hash, timestamp)
        Self.update(&hash, ".")
        let contiguous: Void? = body.withContiguousStorageIfAvailable { hash.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        if contiguous == nil { hash.update(data: body) }
        let innerDigest = hash.finalize()
        var result = outer
        innerDigest.withUnsafeBytes { result.update(bufferPointer: $0) }
        return result.finalize()
    }

    private static func update(_ hash: inout SHA256, _ text: String) {
        var text = text
        text.withUTF8 { hash.update(bufferPointer: UnsafeRawBufferPointer($0)) }
    }
}
