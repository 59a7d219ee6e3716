import Foundation
import HelpDeskAPI
import Hummingbird
import SimulationSupport
import Testing

@testable import Flows
@testable import MockHelpDesk

/// The OpenAPI documents in `openapi/` against the code: every route served is documented (and nothing more), and
/// every documented example decodes with the real type.
struct OpenAPITests {
    private static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("openapi")

    private func document(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent(name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func documentedRoutes(_ document: [String: Any]) -> Set<String> {
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        return Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
    }

    private func servedRoutes<Context>(_ router: Router<Context>) -> Set<String> {
        Set(router.routes.map { "\($0.method.rawValue) \($0.path)" })
    }

    @Test func theHelpDeskDocumentListsExactlyTheRoutesItServes() throws {
        let desk = try MockHelpDesk(secret: .generate(), clock: SimulationClock(base: ManualClock()), logger: .init(label: "test"))
        #expect(servedRoutes(desk.buildRouter()) == documentedRoutes(try document("helpdesk.openapi.json")))
    }

    @Test func ourAppsDocumentListsExactlyTheRoutesItServes() async throws {
        let app = ReviewApp(
            configuration: ReviewAppConfiguration(helpDeskURL: "http://127.0.0.1:9", strategy: .webhook, webhookSecrets: [.generate()]),
            store: InertStore(),
            clock: SimulationClock(base: ManualClock()),
            logger: .init(label: "test")
        )
        let router = Router()
        app.addRoutes(to: router)
        let served = servedRoutes(router)
        try await app.client.shutdown()
        #expect(served == documentedRoutes(try document("flows.openapi.json")))
    }

    @Test(arguments: ["helpdesk.openapi.json", "flows.openapi.json"])
    func everyDocumentedExampleDecodesWithTheRealType(file: String) throws {
        let examples = try #require((try document(file)["components"] as? [String: Any])?["examples"] as? [String: [String: Any]])
        #expect(!examples.isEmpty)
        for (name, example) in examples {
            let type = try #require(example["x-swift-type"] as? String, "\(name) names no type")
            let value = try JSONSerialization.data(withJSONObject: try #require(example["value"]))
            let decoder = try #require(Self.decoders[type], "\(name): no decoder for \(type)")
            do {
                try decoder(value)
            } catch {
                Issue.record("\(file) example \(name) does not decode as \(type): \(error)")
            }
        }
    }

    private static let decoders: [String: @Sendable (Data) throws -> Void] = [
        "SubmitDocumentRequest": { _ = try HelpDeskJSON.decodeStrictly(SubmitDocumentRequest.self, from: $0) },
        "SubmitDocumentResponse": { _ = try HelpDeskJSON.decode(SubmitDocumentResponse.self, from: $0) },
        "DocumentState": { _ = try HelpDeskJSON.decode(DocumentState.self, from: $0) },
        "WebhookPayload": { _ = try HelpDeskJSON.decode(WebhookPayload.self, from: $0) },
        "ThinWebhookPayload": { _ = try HelpDeskJSON.decode(ThinWebhookPayload.self, from: $0) },
        "EventPage": { _ = try HelpDeskJSON.decode(EventPage.self, from: $0) },
        "DeliveryList": { _ = try HelpDeskJSON.decode(DeliveryList.self, from: $0) },
        "ReplayRequest": { _ = try HelpDeskJSON.decodeStrictly(ReplayRequest.self, from: $0) },
        "ReplayResult": { _ = try HelpDeskJSON.decode(ReplayResult.self, from: $0) },
        "EnableEndpointRequest": { _ = try HelpDeskJSON.decodeStrictly(EnableEndpointRequest.self, from: $0) },
        "EndpointList": { _ = try HelpDeskJSON.decode(EndpointList.self, from: $0) },
        "HelpDeskStats": { _ = try HelpDeskJSON.decode(HelpDeskStats.self, from: $0) },
        "ErrorBody": { _ = try HelpDeskJSON.decode(ErrorBody.self, from: $0) },
        "AppErrorBody": { _ = try HelpDeskJSON.decode(AppErrorBody.self, from: $0) },
        "SubmitReviewRequest": { _ = try HelpDeskJSON.decodeStrictly(ReviewsController<BasicRequestContext>.SubmitRequest.self, from: $0) },
        "Review": { _ = try HelpDeskJSON.decode(Review.self, from: $0) },
        "ReviewList": { _ = try HelpDeskJSON.decode(ReviewsController<BasicRequestContext>.ReviewList.self, from: $0) },
        "ReceiverResult": { _ = try HelpDeskJSON.decode(ReceiverController<BasicRequestContext>.Result.self, from: $0) },
    ]
}

/// A store that is never called: building routes needs one, serving them is not under test here.
private struct InertStore: ReviewStore {
    struct Unused: Error {}
    func recordIntent(_ intent: SubmissionIntent) async throws { throw Unused() }
    func discardIntent(key: String) async throws { throw Unused() }
    func openIntents(limit: Int) async throws -> [SubmissionIntent] { throw Unused() }
    func recordSubmission(_ intent: SubmissionIntent, response: SubmitDocumentResponse) async throws -> (review: Review, inserted: Bool) { throw Unused() }
    func apply(_ verdict: Verdict) async throws -> VerdictOutcome { throw Unused() }
    func apply(events: [DocumentEvent], advancingCursor name: String, to cursor: String) async throws -> [VerdictOutcome] { throw Unused() }
    func eventCursor(named name: String) async throws -> String? { throw Unused() }
    func review(documentId: String) async throws -> Review? { throw Unused() }
    func reviews(status: DocumentStatus?, limit: Int) async throws -> [Review] { throw Unused() }
    func pendingReviews(createdBefore: Date, limit: Int) async throws -> [Review] { throw Unused() }
    func recordThinNotification(documentId: String, webhookId: String) async throws -> Bool { throw Unused() }
    func pendingThinNotifications(limit: Int) async throws -> [String] { throw Unused() }
    func leaseDocuments(_ documentIds: [String], to owner: String, until: Date, now: Date) async throws -> [String] { throw Unused() }
    func takeOverDocuments(to owner: String, until: Date, now: Date, unleasedBefore: Date, reclaimingOwn: Bool, limit: Int) async throws -> [Review] { throw Unused() }
    func renewLeases(of owner: String, until: Date) async throws -> Set<String> { throw Unused() }
    func leaseResource(_ name: String, to owner: String, until: Date, now: Date) async throws -> Bool { throw Unused() }
    func applyFetched(_ verdict: Verdict) async throws -> VerdictOutcome { throw Unused() }
}
