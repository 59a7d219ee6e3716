/// The body of every error our app answers, on `POST /reviews`, `GET /reviews` and the receiver: what went wrong and,
/// when one is to blame, the field, header or parameter. Our API's own type, for our clients; it looks like the Help
/// Desk's `ErrorBody` because both follow the same convention, not because one API borrows the other's contract.
public struct AppErrorBody: Codable, Sendable, Hashable {
    public var error: String
    public var field: String?

    public init(error: String, field: String? = nil) {
        self.error = error
        self.field = field
    }
}
