import Foundation
import HelpDeskAPI
import Hummingbird
import ServerSupport

/// Our app's own API.
///
/// | route | answer |
/// |---|---|
/// | `POST /reviews {documentUrl}` | submits the document to the Help Desk and answers 201 with the stored ``Review``; 400 bad body; 502 Help Desk failure |
/// | `GET /reviews/{documentId}` | 200 ``Review``; 404 unknown |
/// | `GET /reviews?status=&limit=` | 200 `{reviews: [...]}`, newest first; `limit` 1-1000, default 100 |
///
/// A GET never changes anything.
struct ReviewsController<Context: RequestContext> {
    let app: ReviewApp

    struct SubmitRequest: Codable, KnownFields {
        var documentUrl: String

        static var fieldNames: Set<String> { ["documentUrl"] }
    }

    struct ReviewList: Codable {
        var reviews: [Review]
    }

    func addRoutes(to router: Router<Context>) {
        router.post("reviews", use: submit)
        router.get("reviews/{documentId}", use: show)
        router.get("reviews", use: list)
    }

    @Sendable func submit(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.decodeStrictJSON(SubmitRequest.self, limit: 16 * 1024)
        let review = try await app.submit(documentUrl: body.documentUrl)
        return try Response.json(review, status: .created, headers: [.location: "/reviews/\(review.documentId)"])
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        let documentId = try context.parameters.require("documentId")
        guard let review = try await Self.reading({ try await app.store.review(documentId: documentId) }) else {
            throw APIError(.notFound, "no review of document \(documentId.prefix(64))", field: "documentId")
        }
        return try Response.json(review)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let status = try request.enumParameter("status", as: DocumentStatus.self)
        let limit = try request.limitParameter(default: 100, max: 1000)
        return try Response.json(ReviewList(reviews: try await Self.reading { try await app.store.reviews(status: status, limit: limit) }))
    }

    /// A read of the store, answered 503 with `Retry-After` while the database is unavailable.
    private static func reading<Value>(_ read: () async throws -> Value) async throws -> Value {
        do {
            return try await read()
        } catch where StoreUnavailable.describes(error) {
            throw StoreUnavailable.answer
        }
    }
}
