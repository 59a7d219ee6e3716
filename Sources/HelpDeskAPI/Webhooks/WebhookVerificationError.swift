/// Why a webhook was refused. Each case answers 401; ``code`` is a short label for logs and counters.
public struct WebhookVerificationError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Reason: Hashable {
        case missingHeader(String)
        case badFormat(String)
        case stale
        case future
        case mismatch
    }

    private let reason: Reason

    static func missingHeader(_ name: String) -> Self { Self(reason: .missingHeader(name)) }
    static func badFormat(_ detail: String) -> Self { Self(reason: .badFormat(detail)) }
    static let stale = Self(reason: .stale)
    static let future = Self(reason: .future)
    static let mismatch = Self(reason: .mismatch)

    /// `missing_header`, `bad_format`, `stale`, `future` or `mismatch`.
    public var code: String {
        switch reason {
        case .missingHeader: "missing_header"
        case .badFormat: "bad_format"
        case .stale: "stale"
        case .future: "future"
        case .mismatch: "mismatch"
        }
    }

    /// The header to blame.
    public var header: String {
        switch reason {
        case .missingHeader(let name): name
        case .stale, .future: HelpDeskHeader.webhookTimestamp
        case .badFormat(let detail):
            detail.hasPrefix(HelpDeskHeader.webhookTimestamp) ? HelpDeskHeader.webhookTimestamp : HelpDeskHeader.webhookSignature
        case .mismatch: HelpDeskHeader.webhookSignature
        }
    }

    public var description: String {
        switch reason {
        case .missingHeader(let name): "the \(name) header is missing"
        case .badFormat(let detail): detail
        case .stale: "the webhook timestamp is too old"
        case .future: "the webhook timestamp is too far in the future"
        case .mismatch: "no signature matches"
        }
    }
}
