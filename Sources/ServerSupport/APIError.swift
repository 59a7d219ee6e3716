import HelpDeskAPI
import Hummingbird

/// The JSON body of every error answer of both servers: `{"error": "...", "field": "..."}`.
///
/// Each API documents it under a type of its own contract (the Help Desk's `ErrorBody`, our app's `AppErrorBody`);
/// this is the server side's copy, so neither server answers with the other's contract type.
public struct APIErrorBody: Codable, Sendable, Hashable {
    /// What went wrong, as a sentence.
    public var error: String
    /// The field, header or parameter at fault, when one is.
    public var field: String?

    public init(error: String, field: String? = nil) {
        self.error = error
        self.field = field
    }
}

/// An error answer: a status and an ``APIErrorBody`` naming the problem and, when one field is to blame, the field.
public struct APIError: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var body: APIErrorBody
    public var headers: HTTPFields

    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - message: What went wrong, as a sentence.
    ///   - field: The field, header or parameter at fault.
    ///   - headers: Extra headers, such as `Retry-After`.
    public init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.body = APIErrorBody(error: message, field: field)
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try Response.json(body, status: status, headers: headers)
    }

    public var description: String {
        "\(status.code) \(body.field.map { "\($0): " } ?? "")\(body.error)"
    }

    /// 400 for a body that breaks the contract.
    public static func badRequest(_ violation: ContractViolation) -> APIError {
        APIError(.badRequest, violation.description, field: violation.field)
    }

    /// 400 naming the field.
    public static func badRequest(field: String, _ problem: String) -> APIError {
        APIError(.badRequest, "\(field) \(problem)", field: field)
    }

    /// 503 or 429 with a `Retry-After` in whole seconds.
    public static func retryLater(_ status: HTTPResponse.Status, _ message: String, afterSeconds seconds: Int) -> APIError {
        APIError(status, message, headers: [.retryAfter: String(max(seconds, 1))])
    }
}

extension Response {
    /// A JSON response with the contract's encoding.
    public static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        let data = try HelpDeskJSON.encode(value)
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
