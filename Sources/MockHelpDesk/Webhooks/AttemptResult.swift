import Foundation

/// What happened to one HTTP attempt.
enum AttemptResult: Sendable, Hashable {
    /// The receiver answered.
    case answered(status: Int, retryAfter: String?)
    /// The receiver did not answer within the delivery timeout.
    case timedOut
    /// The request failed before an answer (refused connection, reset, ...), with a short label.
    case transportFailed(String)

    /// What the dispatcher does next.
    var verdict: AttemptVerdict {
        switch self {
        case .answered(let status, _) where (200..<300).contains(status):
            .delivered
        case .answered(410, _):
            .gone
        case .answered(let status, let retryAfter) where status == 429 || status == 503:
            .retry(notBefore: retryAfter.flatMap(Self.retryAfterDelay))
        case .answered, .timedOut, .transportFailed:
            .retry(notBefore: nil)
        }
    }

    var statusCode: Int? {
        if case .answered(let status, _) = self { status } else { nil }
    }

    var errorLabel: String? {
        switch self {
        case .answered: nil
        case .timedOut: "timeout"
        case .transportFailed(let label): label
        }
    }

    /// A `Retry-After` of delta-seconds, read as model seconds like every other wait of the simulation.
    /// HTTP dates and anything malformed are ignored, leaving the schedule in charge.
    static func retryAfterDelay(_ value: String) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 9, trimmed.allSatisfy({ $0.isASCII && $0.isNumber }), let seconds = Int(trimmed) else {
            return nil
        }
        return .seconds(seconds)
    }
}

/// The dispatcher's reading of an attempt.
enum AttemptVerdict: Sendable, Hashable {
    /// 2xx: done.
    case delivered
    /// 410: the receiver asks never to be called again at this URL.
    case gone
    /// Anything else: try again, no sooner than the receiver asked, if it did.
    case retry(notBefore: Duration?)
}
