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

/// HMAC-SHA256 keyed once for a secret: each message starts from a copy of the keyed state, so the key's padding is
/// hashed once per secret rather than once per webhook, and `{id}.{timestamp}.` is fed without building a string.
struct KeyedHMAC: @unchecked Sendable {
    // swift-crypto does not declare HMAC Sendable. This value is never mutated after init; every use mutates a copy,
    // and the hashers inside are copy-on-write, so the copies never touch the shared state.
    private let keyed: HMAC<SHA256>

    init(key: SymmetricKey) {
        keyed = HMAC<SHA256>(key: key)
    }

    func mac(id: String, timestamp: String, body: some DataProtocol) -> HashedAuthenticationCode<SHA256> {
        var hmac = keyed
        Self.update(&hmac, id)
        Self.update(&hmac, ".")
        Self.update(&hmac, timestamp)
        Self.update(&hmac, ".")
        hmac.update(data: body)
        return hmac.finalize()
    }

    private static func update(_ hmac: inout HMAC<SHA256>, _ text: String) {
        var text = text
        text.withUTF8 { hmac.update(data: UnsafeRawBufferPointer($0)) }
    }
}
