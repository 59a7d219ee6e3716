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
///
/// Each delivery is deduplicated by `webhook-id` in the same transaction as its update. Nothing slow runs before
/// the answer: a thin webhook's fetch happens after it.
struct ReceiverController<Context: RequestContext> {
    let verifier: WebhookVerifier
    let ledger: VerdictLedger
    let thinFetcher: ThinFetcher
    let meter: StrategyMeter
    let wallClock: @Sendable () -> Date

    static var maxBodyBytes: Int { 64 * 1024 }

    struct Result: Codable {
        var result: String
    }

    func addRoutes(to router: Router<Context>) {
        router.post(RouterPath(Flows.receiverPath), use: receive)
    }

    @Sendable func receive(_ request: Request, context: Context) async throws -> Response {
        var learned = false
        defer { meter.record(wasted: !learned) }
        let body = try await request.collectBody(limit: Self.maxBodyBytes)
        let webhookId = request.headers[.webhookID]
        do {
            try verifier.verify(
                id: webhookId,
                timestamp: request.headers[.webhookTimestamp],
                signature: request.headers[.webhookSignature],
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
            guard try await ledger.store.recordThinNotification(documentId: documentId, webhookId: webhookId) else {
                ledger.countDuplicate()
                return try Response.json(Result(result: "duplicate"))
            }
            thinFetcher.enqueue(documentId)
            learned = true
            return try Response.json(Result(result: "queued"), status: .accepted)
        case .full(let payload):
            let outcome = try await ledger.apply(
                Verdict(documentId: payload.documentId, status: payload.documentStatus, webhookId: webhookId),
                source: .webhook
            )
            learned = outcome.changedRow
            switch outcome {
            case .applied: return try Response.json(Result(result: "applied"))
            case .alreadyApplied: return try Response.json(Result(result: "already_applied"))
            case .duplicateDelivery: return try Response.json(Result(result: "duplicate"))
            case .parked: return try Response.json(Result(result: "parked"), status: .accepted)
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

/// A webhook body: full when it carries `documentStatus`, thin when it carries only `documentId`.
enum IncomingWebhook {
    case full(WebhookPayload)
    case thin(documentId: String)

    /// Decodes a body, answering 400 for what is not a JSON object and 422 naming the field for the rest.
    static func decode(_ body: Data) throws(APIError) -> IncomingWebhook {
        guard let object = try? JSONSerialization.jsonObject(with: body), let fields = object as? [String: Any] else {
            throw APIError(.badRequest, "the body must be a JSON object")
        }
        do throws(ContractViolation) {
            if fields["documentStatus"] == nil, fields["agentId"] == nil {
                let thin = try HelpDeskJSON.decode(ThinWebhookPayload.self, from: body)
                guard !thin.documentId.isEmpty else { throw ContractViolation(kind: .invalidValue, field: "documentId", problem: "must not be empty") }
                return .thin(documentId: thin.documentId)
            }
            let payload = try HelpDeskJSON.decode(WebhookPayload.self, from: body)
            guard !payload.documentId.isEmpty else { throw ContractViolation(kind: .invalidValue, field: "documentId", problem: "must not be empty") }
            guard payload.documentStatus.isDecided else {
                throw ContractViolation(kind: .invalidValue, field: "documentStatus", problem: "must be ACCEPTED or DECLINED")
            }
            return .full(payload)
        } catch {
            throw APIError(.unprocessableContent, error.description, field: error.field)
        }
    }
}
