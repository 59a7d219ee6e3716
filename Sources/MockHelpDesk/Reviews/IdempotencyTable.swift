import DequeModule
import HelpDeskAPI
import SimulationSupport

/// The answers of `POST /document` remembered by idempotency key, for a TTL counted from the first request.
///
/// Reserving a key is atomic: the first request proceeds, a second one with the same key and request is
/// answered with the first's response once it is complete, and refused while it is still in flight; the same key
/// with a different request is refused.
struct IdempotencyTable: Sendable {
    /// What makes two submissions the same request.
    struct Fingerprint: Sendable, Hashable {
        var request: SubmitDocumentRequest
        var callbackURL: String?
        var callbackStyle: CallbackPayloadStyle
    }

    enum Reservation: Sendable, Hashable {
        /// The key is now held by this request, which must ``complete(_:with:)`` or ``release(_:)`` it.
        case proceed
        case replay(SubmitDocumentResponse)
        case inFlight
        case mismatch
    }

    private struct Entry: Sendable {
        var fingerprint: Fingerprint
        var response: SubmitDocumentResponse?
        var expiresAt: SimulationClock.Instant
    }

    let ttl: Duration
    private var entries: [String: Entry] = [:]
    /// Keys in reservation order; with one TTL for all, that is also expiry order.
    private var expiries: Deque<(key: String, expiresAt: SimulationClock.Instant)> = []

    init(ttl: Duration) {
        self.ttl = ttl
    }

    var count: Int { entries.count }

    mutating func reserve(_ key: String, for fingerprint: Fingerprint, at now: SimulationClock.Instant) -> Reservation {
        purge(at: now)
        if let entry = entries[key] {
            guard entry.fingerprint == fingerprint else { return .mismatch }
            return entry.response.map(Reservation.replay) ?? .inFlight
        }
        let expiresAt = now.advanced(by: ttl)
        entries[key] = Entry(fingerprint: fingerprint, response: nil, expiresAt: expiresAt)
        expiries.append((key, expiresAt))
        return .proceed
    }

    mutating func complete(_ key: String, with response: SubmitDocumentResponse) {
        entries[key]?.response = response
    }

    /// Frees a key whose request failed, so a retry can proceed.
    mutating func release(_ key: String) {
        entries[key] = nil
    }

    private mutating func purge(at now: SimulationClock.Instant) {
        while let first = expiries.first, first.expiresAt <= now {
            expiries.removeFirst()
            if let entry = entries[first.key], entry.expiresAt <= now { entries[first.key] = nil }
        }
    }
}
