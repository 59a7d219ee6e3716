import Crypto
import Foundation

/// Verifies Standard Webhooks signatures, as a receiver must before it trusts a body.
///
/// The header may carry several space-separated signatures and the verifier may hold several secrets, so a secret
/// can be rotated without a gap. Signatures are compared in constant time. A timestamp further than `tolerance`
/// from the receiver's clock, in either direction, is refused, which bounds the window for replaying a captured request.
public struct WebhookVerifier: Sendable {
    /// The default timestamp tolerance of the Standard Webhooks libraries: five minutes.
    public static let defaultTolerance: Duration = .seconds(300)

    private let keys: [KeyedHMAC]
    private let tolerance: Duration

    /// - Parameters:
    ///   - secrets: Every secret currently accepted (more than one while rotating).
    ///   - tolerance: How far the timestamp may be from `now`.
    public init(secrets: [WebhookSecret], tolerance: Duration = defaultTolerance) {
        precondition(!secrets.isEmpty, "a verifier needs at least one secret")
        self.keys = secrets.map { KeyedHMAC(key: $0.key) }
        self.tolerance = tolerance
    }

    public init(secret: WebhookSecret, tolerance: Duration = defaultTolerance) {
        self.init(secrets: [secret], tolerance: tolerance)
    }

    /// Checks one delivery.
    /// - Parameters:
    ///   - id: The `webhook-id` header, if present.
    ///   - timestamp: The `webhook-timestamp` header, if present.
    ///   - signature: The `webhook-signature` header, if present.
    ///   - body: The exact bytes received.
    ///   - now: The receiver's wall clock.
    public func verify(
        id: String?,
        timestamp: String?,
        signature: String?,
        body: some DataProtocol,
        now: Date = Date()
    ) throws(WebhookVerificationError) {
        guard let id, !id.isEmpty else { throw .missingHeader(HelpDeskHeader.webhookID) }
        guard let timestamp, !timestamp.isEmpty else { throw .missingHeader(HelpDeskHeader.webhookTimestamp) }
        guard let signature, !signature.isEmpty else { throw .missingHeader(HelpDeskHeader.webhookSignature) }

        guard timestamp.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let seconds = Int64(timestamp)
        else {
            throw .badFormat("\(HelpDeskHeader.webhookTimestamp) must be Unix seconds")
        }
        let skew = Double(seconds) - now.timeIntervalSince1970
        let limit = tolerance.secondsValue
        if skew < -limit { throw .stale }
        if skew > limit { throw .future }

        let candidates = try Self.v1Signatures(in: signature)
        for key in keys {
            let expected = key.mac(id: id, timestamp: timestamp, body: body)
            // `==` between a MAC and bytes is swift-crypto's constant-time comparison.
            if candidates.contains(where: { expected == $0 }) { return }
        }
        throw .mismatch
    }

    /// The decoded `v1` signatures of a `webhook-signature` header; other versions are skipped.
    private static func v1Signatures(in header: String) throws(WebhookVerificationError) -> [Data] {
        var signatures: [Data] = []
        for entry in header.split(separator: " ", omittingEmptySubsequences: true) {
            guard let comma = entry.firstIndex(of: ",") else {
                throw .badFormat("\(HelpDeskHeader.webhookSignature) entries must look like v1,<base64>")
            }
            guard entry[..<comma] == "v1" else { continue }
            guard let bytes = Data(base64Encoded: String(entry[entry.index(after: comma)...])) else {
                throw .badFormat("\(HelpDeskHeader.webhookSignature) holds a v1 signature that is not base64")
            }
            signatures.append(bytes)
        }
        guard !signatures.isEmpty else {
            throw .badFormat("\(HelpDeskHeader.webhookSignature) holds no v1 signature")
        }
        return signatures
    }
}

extension Duration {
    fileprivate var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
