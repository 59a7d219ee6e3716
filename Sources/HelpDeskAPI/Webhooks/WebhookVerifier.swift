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

        if let matched = Self.matchCanonical(signature, keys: keys, id: id, timestamp: timestamp, body: body) {
            if matched { return }
            throw .mismatch
        }
        let candidates = try Self.v1Signatures(in: signature)
        for key in keys {
            let expected = key.mac(id: id, timestamp: timestamp, body: body)
            // `==` between a digest and bytes is swift-crypto's constant-time comparison.
            if candidates.contains(where: { expected == $0 }) { return }
        }
        throw .mismatch
    }

    /// The common header, checked without allocating: ASCII, space-separated entries each of `<version>,<payload>`,
    /// every `v1` payload the canonical base64 of 32 bytes (as every signer writes it). Whether one of them is the MAC
    /// under one of `keys`, compared in constant time; `nil` for any other header, which ``v1Signatures(in:)`` reads
    /// (and refuses) as before, so that both accept and refuse exactly the same headers.
    static func matchCanonical(_ header: String, keys: [KeyedHMAC], id: String, timestamp: String, body: some DataProtocol) -> Bool? {
        var header = header
        return header.withUTF8 { bytes -> Bool? in
            guard bytes.allSatisfy({ $0 < 0x80 }), let count = v1Payloads(in: bytes, { _ in }), count > 0 else { return nil }
            var matched = false
            for key in keys {
                key.mac(id: id, timestamp: timestamp, body: body).withUnsafeBytes { expected in
                    _ = v1Payloads(in: bytes) { text in
                        if Base64Signature.equals(text, expected) { matched = true }
                    }
                }
            }
            return matched
        }
    }

    /// Calls `body` with each `v1` payload of an ASCII header and returns how many there were; `nil` when an entry
    /// has no comma or a `v1` payload is not canonical base64 of 32 bytes.
    private static func v1Payloads(in bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) -> Int? {
        var count = 0
        var start = 0
        while start < bytes.count {
            if bytes[start] == UInt8(ascii: " ") {
                start += 1
                continue
            }
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: " ") { end += 1 }
            guard let comma = bytes[start..<end].firstIndex(of: UInt8(ascii: ",")) else { return nil }
            if comma - start == 2, bytes[start] == UInt8(ascii: "v"), bytes[start + 1] == UInt8(ascii: "1") {
                let payload = UnsafeBufferPointer(rebasing: bytes[(comma + 1)..<end])
                guard Base64Signature.isCanonical(payload) else { return nil }
                body(payload)
                count += 1
            }
            start = end
        }
        return count
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

/// The base64 text of a 32-byte HMAC-SHA256, as signers write it: 43 characters of the standard alphabet and one `=`,
/// the last character's two unused bits zero.
enum Base64Signature {
    static let encodedCount = 44
    static let decodedCount = 32

    /// The value of a standard base64 character, or `nil`.
    @inline(__always)
    static func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }

    /// Whether `text` is the canonical encoding of 32 bytes.
    static func isCanonical(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.count == encodedCount, text[encodedCount - 1] == UInt8(ascii: "=") else { return false }
        for index in 0..<(encodedCount - 1) where value(text[index]) == nil { return false }
        // 43 characters carry 258 bits: the last one's two low bits are padding.
        return value(text[encodedCount - 2])! & 0b11 == 0
    }

    /// Whether canonical `text` decodes to `bytes` (32 of them), in time that does not depend on where they differ.
    static func equals(_ text: UnsafeBufferPointer<UInt8>, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var difference: UInt8 = 0
        var accumulator: UInt32 = 0
        var bits = 0
        var produced = 0
        for index in 0..<(encodedCount - 1) {
            accumulator = (accumulator << 6) | UInt32(value(text[index])!)
            bits += 6
            if bits >= 8 {
                bits -= 8
                difference |= UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)) ^ bytes[produced]
                produced += 1
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        return produced == decodedCount && difference == 0
    }
}

extension Duration {
    fileprivate var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
