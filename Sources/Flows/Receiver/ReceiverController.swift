import Foundation
import HelpDeskAPI
import Hummingbird
import ServerSupport

/// Our webhook receiver, `POST /document/update` (the reference tutorial's path).
///
/// | answer | when |
/// |---|---|
/// | 200 `{"result": "applied" \| "already_applied" \| "duplicate"}` | the verdict is in the row (now or before) |
/// | 202 `{"result": "parked" \| "queued"}` | the row is not inserted yet (kept for it), or a thin webhook (fetched next) |
/// | 401 | the Standard Webhooks signature is missing, malformed, stale or wrong: nothing is read or written |
/// | 400 | the body is not JSON |
/// | 409 | the document already holds the other verdict: nothing changes |
/// | 413 | the body is over 64 KiB |
/// | 415 | the body is not declared as JSON |
/// | 422 | a field is missing, mistyped, or the status is not a verdict |
/// | 503 | our database is unavailable for now (``StoreUnavailable``): with `Retry-After`, so the vendor retries then |
///
/// Each delivery is deduplicated by `webhook-id` in the same transaction as its update. Nothing slow runs before
/// the answer: a thin webhook's fetch happens after it.
struct ReceiverController<Context: RequestContext> {
    let verifier: WebhookVerifier
    let ledger: VerdictLedger
    let thinFetcher: ThinFetcher
    let meter: StrategyMeter
    let outages: OutageLog
    let wallClock: @Sendable () -> Date

    static var maxBodyBytes: Int { 64 * 1024 }

    /// The body of every successful answer.
    struct Result: Codable {
        var result: String
    }

    func addRoutes(to router: Router<Context>) {
        router.post(RouterPath(Flows.receiverPath), use: receive)
    }

    @Sendable func receive(_ request: Request, context: Context) async throws -> Response {
        // Every delivery is a learning request, counted as wasted unless it changed a row or recorded a thin notification.
        do {
            let response = try await meter.measure { try await handle(request, context: context) }
            outages.served(logger: context.logger)
            return response
        } catch where StoreUnavailable.describes(error) {
            // Nothing was written: the vendor's retry after the pause applies it once.
            outages.deferred(.webhook, error: error, logger: context.logger)
            throw StoreUnavailable.answer
        }
    }

    private func handle(_ request: Request, context: Context) async throws -> Response {
        let body = try await request.collectBody(limit: Self.maxBodyBytes)
        let webhookId = request.headers.value(of: .webhookID)
        do {
            try verifier.verify(
                id: webhookId,
                timestamp: request.headers.value(of: .webhookTimestamp),
                signature: request.headers.value(of: .webhookSignature),
                body: body,
                now: wallClock()
            )
        } catch {
            context.logger.notice("webhook refused", metadata: ["reason": "\(error.code)"])
            throw APIError(.unauthorized, error.description, field: error.header)
        }
        try request.requireJSONContentType()
        guard let webhookId else { throw APIError(.unauthorized, "the webhook-id header is missing", field: "webhook-id") }

        switch try IncomingWebhook.decode(body) {
        case .thin(let documentId):
            guard try await ledger.recordThinNotification(documentId: documentId, webhookId: webhookId) else {
                return ReceiverAnswer.duplicate.response
            }
            thinFetcher.enqueue(documentId)
            return ReceiverAnswer.queued.response
        case .full(let payload):
            let outcome = try await ledger.apply(
                Verdict(documentId: payload.documentId, status: payload.documentStatus, webhookId: webhookId),
                source: .webhook
            )
            switch outcome {
            case .applied: return ReceiverAnswer.applied.response
            case .alreadyApplied: return ReceiverAnswer.alreadyApplied.response
            case .duplicateDelivery: return ReceiverAnswer.duplicate.response
            case .parked: return ReceiverAnswer.parked.response
            case .conflict(let existing):
                throw APIError(
                    .conflict,
                    "document \(payload.documentId) is already \(existing.rawValue); \(payload.documentStatus.rawValue) is refused",
                    field: "documentStatus"
                )
            }
        }
    }
}

/// The receiver's successful answers, encoded once: `{"result": ...}` with 200, or 202 when the verdict waits.
enum ReceiverAnswer: String, CaseIterable {
    case applied
    case alreadyApplied = "already_applied"
    case duplicate
    case parked
    case queued

    var status: HTTPResponse.Status {
        switch self {
        case .applied, .alreadyApplied, .duplicate: .ok
        case .parked, .queued: .accepted
        }
    }

    private static let bodies: [ReceiverAnswer: ByteBuffer] = Dictionary(
        uniqueKeysWithValues: allCases.map { answer in
            // Encoding five fixed values cannot fail.
            (answer, ByteBuffer(bytes: try! HelpDeskJSON.encode(ReceiverController<BasicRequestContext>.Result(result: answer.rawValue))))
        }
    )

    var response: Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: Self.bodies[self]!))
    }
}
