import Crypto
import DequeModule
import Foundation
import HelpDeskAPI
import SimulationSupport

/// The answers of `POST /document` remembered by idempotency key, for a TTL counted from the first request.
///
/// Reserving a key is atomic: the first request proceeds, a second one with the same key and request is
/// answered with the first's response once it is complete, and refused while it is still in flight; the same key
/// with a different request is refused.
///
/// Keys and requests are kept as SHA-256 digests, and the answer as whatever the caller needs to rebuild it (the
/// Help Desk keeps the document's ordinal): a million keys fit in about 150 MB less than their strings would take.
struct IdempotencyTable<Answer: Sendable & Hashable>: Sendable {
    typealias Fingerprint = IdempotencyFingerprint
    typealias Digest = SHA256Value

    enum Reservation: Sendable, Hashable {
        /// The key is now held by this request, which must ``complete(_:with:)`` or ``release(_:)`` it.
        case proceed
        case replay(Answer)
        case inFlight
        case mismatch
    }

    private struct Entry: Sendable {
        var fingerprint: Digest
        var response: Answer?
        var expiresAt: SimulationClock.Instant
    }

    let ttl: Duration
    private var entries: [Digest: Entry] = [:]
    /// Keys in reservation order; with one TTL for all, that is also expiry order.
    private var expiries: Deque<(key: Digest, expiresAt: SimulationClock.Instant)> = []

    init(ttl: Duration) {
        self.ttl = ttl
    }

    var count: Int { entries.count }

    mutating func reserve(_ key: String, for fingerprint: Fingerprint, at now: SimulationClock.Instant) -> Reservation {
        purge(at: now)
        let key = Digest(of: key)
        let digest = fingerprint.digest
        if let entry = entries[key] {
            guard entry.fingerprint == digest else { return .mismatch }
            return entry.response.map(Reservation.replay) ?? .inFlight
        }
        let expiresAt = now.advanced(by: ttl)
        entries[key] = Entry(fingerprint: digest, response: nil, expiresAt: expiresAt)
        expiries.append((key, expiresAt))
        return .proceed
    }

    mutating func complete(_ key: String, with response: Answer) {
        entries[Digest(of: key)]?.response = response
    }

    /// Frees a key whose request failed, so a retry can proceed.
    mutating func release(_ key: String) {
        entries[Digest(of: key)] = nil
    }

    private mutating func purge(at now: SimulationClock.Instant) {
        while let first = expiries.first, first.expiresAt <= now {
            expiries.removeFirst()
            if let entry = entries[first.key], entry.expiresAt <= now { entries[first.key] = nil }
        }
    }
}

/// What makes two submissions the same request.
struct IdempotencyFingerprint: Sendable, Hashable {
    var request: SubmitDocumentRequest
    var callbackURL: String?
    var callbackStyle: CallbackPayloadStyle

    /// SHA-256 of the request as encoded (sorted keys) and its callback headers: what the table keeps, 32 bytes
    /// instead of the request itself, as payment APIs keep a hash of the parameters.
    var digest: SHA256Value {
        var hash = SHA256()
        hash.update(data: (try? HelpDeskJSON.encode(request)) ?? Data(request.documentUrl.utf8))
        hash.update(data: Data([0]))
        hash.update(data: Data((callbackURL ?? "").utf8))
        hash.update(data: Data([0]))
        hash.update(data: Data(callbackStyle.rawValue.utf8))
        return SHA256Value(hash.finalize())
    }
}

/// A SHA-256 digest held inline (swift-crypto's digest type is not `Sendable`).
struct SHA256Value: Sendable, Hashable {
    var words: (UInt64, UInt64, UInt64, UInt64)

    /// The digest of a string, such as an idempotency key.
    init(of text: String) {
        self.init(SHA256.hash(data: Data(text.utf8)))
    }

    init(_ digest: SHA256Digest) {
        var bytes = [UInt8](repeating: 0, count: 32)
        digest.withUnsafeBytes { bytes = Array($0) }
        func word(_ index: Int) -> UInt64 {
            bytes[index * 8..<index * 8 + 8].reduce(0) { $0 << 8 | UInt64($1) }
        }
        words = (word(0), word(1), word(2), word(3))
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.words == rhs.words
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
