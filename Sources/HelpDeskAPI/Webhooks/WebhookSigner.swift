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
    private let secret: WebhookSecret

    public init(secret: WebhookSecret) {
        self.secret = secret
    }

    /// The `webhook-signature` value for one message: `v1,<base64 HMAC-SHA256>`.
    /// - Parameters:
    ///   - id: The `webhook-id`.
    ///   - timestamp: The `webhook-timestamp`, Unix seconds.
    ///   - body: The exact bytes sent as the body.
    public func signature(id: String, timestamp: Int64, body: some DataProtocol) -> String {
        let mac = WebhookSignedContent.mac(id: id, timestamp: String(timestamp), body: body, key: secret.key)
        return "v1," + Data(mac).base64EncodedString()
    }

    /// All three headers for one attempt.
    public func headers(id: String, timestamp: Int64, body: some DataProtocol) -> WebhookHeaders {
        WebhookHeaders(id: id, timestamp: String(timestamp), signature: signature(id: id, timestamp: timestamp, body: body))
    }
}

enum WebhookSignedContent {
    static func mac(id: String, timestamp: String, body: some DataProtocol, key: SymmetricKey) -> HashedAuthenticationCode<SHA256> {
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(data: Data("\(id).\(timestamp).".utf8))
        hmac.update(data: body)
        return hmac.finalize()
    }
}
