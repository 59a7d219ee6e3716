import HelpDeskAPI
import Testing

@testable import MockHelpDesk

@Suite(.timeLimit(.minutes(1)))
struct StatsTests {
    @Test func statsCountRequestsByRouteAndStatusAndTheirBytes() async throws {
        try await HelpDeskHarness.run { harness in
            let document = try await harness.submit()
            let state = try await harness.send(.GET, "/document/\(document.documentId)")
            let unchanged = try await harness.send(.GET, "/document/\(document.documentId)", headers: [("If-None-Match", "\"v1\"")])
            #expect(unchanged.status == 304)
            _ = try await harness.send(.GET, "/document/doc_missing")
            _ = try await harness.send(.GET, "/nowhere")
            await harness.decide(at: 3)

            let stats = try await harness.send(.GET, "/_stats").decode(HelpDeskStats.self)
            #expect(stats.requests.contains(.init(route: "POST /document", status: 201, count: 1)))
            #expect(stats.requests.contains(.init(route: "GET /document/{documentId}", status: 200, count: 1)))
            #expect(stats.requests.contains(.init(route: "GET /document/{documentId}", status: 404, count: 1)))
            #expect(stats.requests.contains(.init(route: "GET unmatched", status: 404, count: 1)))
            #expect(stats.requestCount(route: "GET /document/{documentId}") == 3)
            #expect(stats.requestCount(route: "GET /document/{documentId}", status: 304) == 1)
            #expect(stats.requestCount(route: "GET /document/{documentId}", status: 200) == 1)
            let submitted = try HelpDeskJSON.encode(SubmitDocumentRequest(documentUrl: "https://example.com/contract.pdf"))
            #expect(stats.requestBytes == submitted.count)
            #expect(stats.responseBytes > state.body.count)
            #expect(stats.documents.submitted == 1)
            #expect(stats.documents.pending == 0)
            #expect(stats.documents.accepted + stats.documents.declined == 1)
            #expect(stats.deliveries == HelpDeskStats.DeliveryCounts(), "no callback, no webhook")
        }
    }

    @Test func deliveriesCanBeFilteredByAKnownStatusOnly() async throws {
        try await HelpDeskHarness.run { harness in
            let all = try await harness.send(.GET, "/deliveries")
            #expect(all.status == 200)
            #expect(try all.decode(DeliveryList.self).deliveries.isEmpty)
            let bad = try await harness.send(.GET, "/deliveries?status=lost")
            #expect(bad.status == 400)
            #expect(try bad.error.field == "status")
        }
    }
}
