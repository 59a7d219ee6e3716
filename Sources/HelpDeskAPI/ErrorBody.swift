/// Body of every error answer of both servers: what went wrong and, when one field is to blame, which.
public struct ErrorBody: Codable, Sendable, Hashable {
    /// A sentence naming the problem.
    public var error: String
    /// The field, header or parameter at fault (`documentUrl`, `X-Callback-Url`, `metadata.team`), if any.
    public var field: String?

    public init(error: String, field: String? = nil) {
        self.error = error
        self.field = field
    }
}
