import HTTPTypes
import HelpDeskAPI
import Hummingbird
import ServerSupport

/// The document routes of the Help Desk API.
///
/// | route | answer |
/// |---|---|
/// | `POST /document` | 201 ``SubmitDocumentResponse`` with `Location`; 400 bad body or header; 409/422 idempotency conflicts; 413; 415 |
/// | `GET /document/{documentId}` | 200 ``DocumentState`` with `ETag`; 304 for a matching `If-None-Match`; `?wait=` long-polls; 404; 429; 503 |
struct DocumentController<Context: RequestContext> {
    let desk: MockHelpDesk

    /// Largest `POST /document` body accepted.
    static var maxBodyBytes: Int { 64 * 1024 }

    func addRoutes(to router: Router<Context>) {
        router.post("document", use: submit)
        router.get("document/{documentId}", use: status)
    }

    @Sendable func submit(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.decodeStrictJSON(SubmitDocumentRequest.self, limit: Self.maxBodyBytes)
        let submission = try Submission.validate(
            body,
            callbackURL: request.headers[values: .callbackURL].first,
            callbackPayload: request.headers[values: .callbackPayload].first,
            idempotencyKey: request.headers[values: .idempotencyKey].first,
            policy: desk.configuration.callbackPolicy
        )
        let (response, replayed) = try await desk.submit(submission)
        var headers: HTTPFields = [.location: "/document/\(response.documentId)"]
        if replayed { headers[.idempotentReplayed] = "true" }
        return try Response.json(response, status: .created, headers: headers)
    }

    @Sendable func status(_ request: Request, context: Context) async throws -> Response {
        let documentId = try context.parameters.require("documentId")
        let limitHeaders = try desk.admitPolling()
        try desk.admitStatusRequest()
        let wait = try request.waitParameter(max: desk.configuration.maxWait)
        let ifNoneMatch = request.headers.value(of: .ifNoneMatch)
        guard let state = await desk.document(documentId, ifNoneMatch: ifNoneMatch, wait: wait) else {
            throw APIError(.notFound, "no document with id \(documentId.prefix(64))", field: "documentId")
        }
        let etag = EntityTag.of(state)
        if let ifNoneMatch, EntityTag.matches(ifNoneMatch, current: etag) {
            return Response(status: .notModified, headers: ([.eTag: etag] as HTTPFields).adding(limitHeaders))
        }
        return try Response.json(state, headers: ([.eTag: etag] as HTTPFields).adding(limitHeaders))
    }
}
