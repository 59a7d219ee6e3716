import HelpDeskAPI

/// A Help Desk call that did not give an answer our app can use.
public struct HelpDeskClientError: Error, Sendable, CustomStringConvertible {
    private enum Reason: Sendable {
        case transport(String)
        case status(Int, ErrorBody?)
        case contract(ContractViolation)
    }

    private let reason: Reason

    static func transport(_ error: any Error) -> Self { Self(reason: .transport(String(String(describing: error).prefix(160)))) }
    static func status(_ code: Int, _ body: ErrorBody?) -> Self { Self(reason: .status(code, body)) }
    static func contract(_ violation: ContractViolation) -> Self { Self(reason: .contract(violation)) }

    /// The Help Desk's HTTP status, if it answered.
    public var statusCode: Int? {
        if case .status(let code, _) = reason { code } else { nil }
    }

    /// Whether the same request may succeed later: no answer, or a 5xx, 409 or 429 answer.
    public var isRetryable: Bool {
        switch reason {
        case .transport: true
        case .status(let code, _): code >= 500 || code == 409 || code == 429
        case .contract: false
        }
    }

    public var description: String {
        switch reason {
        case .transport(let detail): "the Help Desk could not be reached: \(detail)"
        case .status(let code, let body): "the Help Desk answered \(code)\(body.map { ": \($0.error)" } ?? "")"
        case .contract(let violation): "the Help Desk's answer broke the contract: \(violation)"
        }
    }
}
