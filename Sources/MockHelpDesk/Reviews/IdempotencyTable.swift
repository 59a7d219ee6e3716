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
/// A run of a million submissions keeps a million keys for the TTL, so each costs about 90 bytes: the key and the
/// request are kept as 128-bit SHA-256 prefixes (the answer as whatever the caller needs to rebuild it: the Help
/// Desk keeps the document's ordinal), entries in one queue in reservation order, which with one TTL for all is also
/// expiry order, and a hash table from key to position in that queue.
struct IdempotencyTable<Answer: Sendable & Hashable>: Sendable {
    typealias Fingerprint = IdempotencyFingerprint
    typealias Digest = SHA256Prefix

    enum Reservation: Sendable, Hashable {
        /// The key is now held by this request, which must ``complete(_:with:)`` or ``release(_:)`` it.
        case proceed
        case replay(Answer)
        case inFlight
        case mismatch
    }

    private struct Entry: Sendable {
        var key: Digest
        var fingerprint: Digest
        var response: Answer?
        /// Nanoseconds of model time.
        var expiresAt: Int64
        /// Released by a failed request: its key is free again.
        var released = false
    }

    let ttl: Duration
    /// Entries in reservation order; `entries[i]` is at position `purged + i`.
    private var entries: Deque<Entry> = []
    private var purged = 0
    /// The position of each live key's entry.
    private var positions: [Digest: Int] = [:]

    init(ttl: Duration) {
        self.ttl = ttl
    }

    var count: Int { positions.count }

    mutating func reserve(_ key: String, for fingerprint: Fingerprint, at now: SimulationClock.Instant) -> Reservation {
        purge(at: now)
        let key = Digest(of: key)
        let digest = fingerprint.digest
        if let position = positions[key] {
            let entry = entries[position - purged]
            guard entry.fingerprint == digest else { return .mismatch }
            return entry.response.map(Reservation.replay) ?? .inFlight
        }
        positions[key] = purged + entries.count
        entries.append(Entry(key: key, fingerprint: digest, response: nil, expiresAt: now.advanced(by: ttl).offset.nanosecondsValue))
        return .proceed
    }

    mutating func complete(_ key: String, with response: Answer) {
        guard let position = positions[Digest(of: key)] else { return }
        entries[position - purged].response = response
    }

    /// Frees a key whose request failed, so a retry can proceed.
    mutating func release(_ key: String) {
        guard let position = positions.removeValue(forKey: Digest(of: key)) else { return }
        entries[position - purged].released = true
    }

    private mutating func purge(at now: SimulationClock.Instant) {
        let now = now.offset.nanosecondsValue
        while let first = entries.first, first.expiresAt <= now {
            entries.removeFirst()
            if !first.released { positions[first.key] = nil }
            purged += 1
        }
    }
}

/// What makes two submissions the same request.
struct IdempotencyFingerprint: Sendable, Hashable {
    var request: SubmitDocumentRequest
    var callbackURL: String?
    var callbackStyle: CallbackPayloadStyle

    /// SHA-256 of the request as encoded (sorted keys) and its callback headers: what the table keeps (its first 16 bytes)
    /// instead of the request itself, as payment APIs keep a hash of the parameters.
    var digest: SHA256Prefix {
        var hash = SHA256()
        hash.update(data: (try? HelpDeskJSON.encode(request)) ?? Data(request.documentUrl.utf8))
        hash.update(data: Data([0]))
        hash.update(data: Data((callbackURL ?? "").utf8))
        hash.update(data: Data([0]))
        hash.update(data: Data(callbackStyle.rawValue.utf8))
        return SHA256Prefix(hash.finalize())
    }
}

/// The first 128 bits of a SHA-256 digest, held inline: enough to tell a million keys apart (a collision among
/// 10^6 keys has a chance of about 10^-27), in half the bytes of the digest.
struct SHA256Prefix: Sendable, Hashable {
    var high: UInt64
    var low: UInt64

    /// The digest of a string, such as an idempotency key.
    init(of text: String) {
        self.init(SHA256.hash(data: Data(text.utf8)))
    }

    init(_ digest: SHA256Digest) {
        (high, low) = digest.withUnsafeBytes { bytes in
            func word(_ index: Int) -> UInt64 {
                bytes[index * 8..<index * 8 + 8].reduce(0) { $0 << 8 | UInt64($1) }
            }
            return (word(0), word(1))
        }
    }
}
