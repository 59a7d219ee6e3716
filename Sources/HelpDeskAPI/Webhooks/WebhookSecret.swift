import Crypto
import Foundation

/// A Standard Webhooks signing secret: `whsec_` followed by 24 to 64 random bytes in base64.
///
/// Its `description` never shows the key, so a secret can sit in a logged value without leaking.
public struct WebhookSecret: Sendable, CustomStringConvertible {
    /// The `whsec_` prefix every encoded secret starts with.
    public static let prefix = "whsec_"

    private let keyBytes: [UInt8]
    /// The secret in its `whsec_<base64>` form, to hand to the other side once.
    public let encoded: String

    /// Parses a `whsec_<base64>` secret.
    public init(_ encoded: String) throws(WebhookSecretError) {
        guard encoded.hasPrefix(Self.prefix) else { throw .missingPrefix }
        guard let bytes = Data(base64Encoded: String(encoded.dropFirst(Self.prefix.count))) else { throw .notBase64 }
        guard (24...64).contains(bytes.count) else { throw .badLength(bytes.count) }
        self.keyBytes = Array(bytes)
        self.encoded = encoded
    }

    /// A new secret of 32 bytes from the system's secure random source.
    public static func generate() -> WebhookSecret {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        // A freshly generated 32-byte key always parses.
        return try! WebhookSecret(prefix + bytes.base64EncodedString())
    }

    /// The HMAC key (swift-crypto's key type is not `Sendable`, so the bytes are kept instead).
    var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    public var description: String { "whsec_<redacted>" }
}

/// Why a string is not a webhook secret.
public struct WebhookSecretError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Reason: Hashable {
        case missingPrefix
        case notBase64
        case badLength(Int)
    }

    private let reason: Reason

    static let missingPrefix = WebhookSecretError(reason: .missingPrefix)
    static let notBase64 = WebhookSecretError(reason: .notBase64)
    static func badLength(_ count: Int) -> WebhookSecretError { WebhookSecretError(reason: .badLength(count)) }

    public var description: String {
        switch reason {
        case .missingPrefix: "a webhook secret must start with \"whsec_\""
        case .notBase64: "a webhook secret must be \"whsec_\" followed by base64"
        case .badLength(let count): "a webhook secret must hold 24 to 64 bytes, not \(count)"
        }
    }
}
