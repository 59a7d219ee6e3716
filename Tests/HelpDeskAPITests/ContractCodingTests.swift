import Foundation
import HelpDeskAPI
import Testing

struct ContractCodingTests {
    private func keys(of value: some Encodable) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: HelpDeskJSON.encode(value)) as? [String: Any]
        return Set(object?.keys.map { $0 } ?? [])
    }

    @Test func typesUseTheContractsFieldNames() throws {
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(try keys(of: SubmitDocumentRequest(documentUrl: "https://x", metadata: ["a": "b"])) == ["documentUrl", "metadata"])
        #expect(try keys(of: SubmitDocumentResponse(agentId: "a", documentId: "d", documentStatus: .pendingReview)) == ["agentId", "documentId", "documentStatus"])
        #expect(
            try keys(of: DocumentState(documentId: "d", agentId: "a", documentStatus: .accepted, version: 2, updatedAt: date))
                == ["documentId", "agentId", "documentStatus", "version", "updatedAt"])
        #expect(try keys(of: WebhookPayload(agentId: "a", documentId: "d", documentStatus: .declined, metadata: [:])) == ["agentId", "documentId", "documentStatus", "metadata"])
        #expect(try keys(of: ThinWebhookPayload(documentId: "d")) == ["documentId"])
        #expect(try keys(of: EventPage(events: [], nextCursor: "evt_0")) == ["events", "nextCursor"])
        #expect(try keys(of: ErrorBody(error: "bad", field: "documentUrl")) == ["error", "field"])
    }

    @Test func statusesUseTheirWireNames() throws {
        let encoded = try HelpDeskJSON.encode([DocumentStatus.pendingReview, .accepted, .declined])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["PENDING_REVIEW","ACCEPTED","DECLINED"]"#)
    }

    @Test func datesAreISO8601() throws {
        let state = DocumentState(documentId: "d", agentId: "a", documentStatus: .accepted, version: 2, updatedAt: Date(timeIntervalSince1970: 0))
        let text = String(decoding: try HelpDeskJSON.encode(state), as: UTF8.self)
        #expect(text.contains(#""updatedAt":"1970-01-01T00:00:00Z""#))
        #expect(try HelpDeskJSON.decode(DocumentState.self, from: HelpDeskJSON.encode(state)) == state)
    }

    @Test(arguments: [
        (#"{"documentId": "d", "documentStatus": "ACCEPTED"}"#, ContractViolation.Kind.missingField, "agentId"),
        (#"{"agentId": 5, "documentId": "d", "documentStatus": "ACCEPTED"}"#, .wrongType, "agentId"),
        (#"{"agentId": null, "documentId": "d", "documentStatus": "ACCEPTED"}"#, .wrongType, "agentId"),
        (#"{"agentId": "a", "documentId": "d", "documentStatus": "MAYBE"}"#, .invalidValue, "documentStatus"),
        (#"{"agentId": "a", "documentId": "d", "documentStatus": "ACCEPTED", "metadata": {"k": 1}}"#, .wrongType, "metadata.k"),
        (#"{"agentId": "a", "documentId": "d""#, .malformedJSON, nil),
        ("", .malformedJSON, nil),
        ("[1, 2]", .wrongType, nil),
    ] as [(String, ContractViolation.Kind, String?)])
    func decodingFailuresNameTheField(json: String, kind: ContractViolation.Kind, field: String?) {
        let violation = #expect(throws: ContractViolation.self) {
            try HelpDeskJSON.decode(WebhookPayload.self, from: Data(json.utf8))
        }
        #expect(violation?.kind == kind)
        #expect(violation?.field == field)
    }

    @Test func anUnknownStatusSaysWhichAreAllowed() {
        let violation = #expect(throws: ContractViolation.self) {
            try HelpDeskJSON.decode(ThinWebhookPayload.self, from: Data(#"{"documentId": 12}"#.utf8))
        }
        #expect(violation?.description == "documentId: must be a string")
        let status = #expect(throws: ContractViolation.self) {
            try HelpDeskJSON.decode([DocumentStatus].self, from: Data(#"["accepted"]"#.utf8))
        }
        #expect(status?.problem.contains("PENDING_REVIEW, ACCEPTED, DECLINED") == true)
    }
}
