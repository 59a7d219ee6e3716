import HelpDeskAPI
import HTTPTypes
import Hummingbird
import Testing

@testable import MockHelpDesk
@testable import ServerSupport

struct ValidationTests {
    private let policy = CallbackPolicy(allowedHosts: ["hooks.internal.test"])
    private let document = SubmitDocumentRequest(documentUrl: "https://example.com/a.pdf")

    @Test(arguments: [
        "http://127.0.0.1:3333/document/update", "https://localhost/x", "http://[::1]:80/x", "http://127.8.9.10/x",
        "https://HOOKS.internal.test/update",
    ])
    func acceptsLoopbackAndAllowedCallbacks(url: String) throws {
        _ = try policy.validate(url)
    }

    @Test(arguments: [
        ("ftp://127.0.0.1/x", "must be an absolute http or https URL"),
        ("javascript:alert(1)", "must be an absolute http or https URL"),
        ("/relative/path", "must be an absolute http or https URL"),
        ("not a url", "must be an absolute http or https URL"),
        ("http://example.com/x", "not on the callback allow-list"),
        ("http://10.0.0.1/x", "not on the callback allow-list"),
        ("http://127.0.0.1.example.com/x", "not on the callback allow-list"),
        ("http://user:pw@127.0.0.1/x", "must not carry credentials"),
        ("http://127.0.0.1/x#frag", "must not have a fragment"),
        ("http:///x", "must name a host"),
        ("http://127.0.0.1/" + String(repeating: "a", count: 2100), "at most 2048"),
    ])
    func refusesOtherCallbacksNamingTheHeader(url: String, problem: String) {
        let error = #expect(throws: APIError.self) { try policy.validate(url) }
        #expect(error?.status == .badRequest)
        #expect(error?.body.field == "X-Callback-Url")
        #expect(error?.body.error.contains(problem) == true, "\(error?.body.error ?? "")")
    }

    @Test(arguments: [
        (SubmitDocumentRequest(documentUrl: ""), nil, nil, nil, "documentUrl"),
        (SubmitDocumentRequest(documentUrl: "file:///etc/passwd"), nil, nil, nil, "documentUrl"),
        (SubmitDocumentRequest(documentUrl: "https://"), nil, nil, nil, "documentUrl"),
        (SubmitDocumentRequest(documentUrl: "https://x.test/a", metadata: ["k": String(repeating: "v", count: 501)]), nil, nil, nil, "metadata.k"),
        (SubmitDocumentRequest(documentUrl: "https://x.test/a", metadata: ["": "v"]), nil, nil, nil, "metadata"),
        (
            SubmitDocumentRequest(documentUrl: "https://x.test/a", metadata: Dictionary(uniqueKeysWithValues: (0..<51).map { ("k\($0)", "v") })),
            nil, nil, nil, "metadata"
        ),
        (SubmitDocumentRequest(documentUrl: "https://x.test/a"), "http://127.0.0.1/x", "medium", nil, "X-Callback-Payload"),
        (SubmitDocumentRequest(documentUrl: "https://x.test/a"), nil, nil, "", "X-Idempotency-Key"),
        (SubmitDocumentRequest(documentUrl: "https://x.test/a"), nil, nil, String(repeating: "k", count: 256), "X-Idempotency-Key"),
        (SubmitDocumentRequest(documentUrl: "https://x.test/a"), nil, nil, "has space", "X-Idempotency-Key"),
        (SubmitDocumentRequest(documentUrl: "https://x.test/a"), nil, nil, "naïve", "X-Idempotency-Key"),
    ] as [(SubmitDocumentRequest, String?, String?, String?, String)])
    func refusesBadSubmissionsNamingTheField(request: SubmitDocumentRequest, callback: String?, payload: String?, key: String?, field: String) {
        let error = #expect(throws: APIError.self) {
            try Submission.validate(request, callbackURL: callback, callbackPayload: payload, idempotencyKey: key, policy: policy)
        }
        #expect(error?.status == .badRequest)
        #expect(error?.body.field == field)
    }

    @Test func acceptsAFullSubmission() throws {
        let submission = try Submission.validate(
            SubmitDocumentRequest(documentUrl: "https://x.test/a", metadata: ["team": "legal"]),
            callbackURL: "http://127.0.0.1:3333/document/update",
            callbackPayload: "thin",
            idempotencyKey: String(repeating: "k", count: 255),
            policy: policy
        )
        #expect(submission.callback?.style == .thin)
        #expect(submission.callback?.url.port == 3333)
    }

    @Test func entityTagsMatchTheWayRFC9110Says() {
        #expect(EntityTag.matches("\"v2\"", current: "\"v2\""))
        #expect(EntityTag.matches("W/\"v2\"", current: "\"v2\""))
        #expect(EntityTag.matches("\"v1\", \"v2\"", current: "\"v2\""))
        #expect(EntityTag.matches("*", current: "\"v2\""))
        #expect(!EntityTag.matches("\"v1\"", current: "\"v2\""))
        #expect(!EntityTag.matches("v2", current: "\"v2\""))
    }

    @Test func eventCursorsParseOnlyTheirOwnForm() {
        #expect(EventCursor("evt_0")?.sequence == 0)
        #expect(EventCursor("evt_42")?.sequence == 42)
        for bad in ["evt_", "evt_-1", "evt_+1", "evt_1.0", "42", "evt_١", "evt_99999999999999999999"] {
            #expect(EventCursor(bad) == nil, "\(bad)")
        }
    }

    @Test func aJSONContentTypeIsRecognisedInAnyCaseWithSpacesAndParameters() {
        for accepted in ["application/json", "Application/JSON", " application/json ", "\tapplication/json", "application/json; charset=utf-8",
                         "application/json ;charset=UTF-8"] {
            #expect(Request.isJSONMediaType(accepted.utf8), "\(accepted)")
        }
        for refused in ["", "text/plain", "application/jsonx", "application/js", "application/json, text/plain", "application/problem+json",
                        "x application/json"] {
            #expect(!Request.isJSONMediaType(refused.utf8), "\(refused)")
        }
    }

    @Test func aHeadersValueIsTheJoinedValueOfItsFields() {
        var fields = HTTPFields()
        #expect(fields.value(of: .webhookID) == nil)
        fields.append(HTTPField(name: .webhookID, value: "msg_1"))
        fields.append(HTTPField(name: .contentType, value: "application/json"))
        #expect(fields.value(of: .webhookID) == "msg_1")
        fields.append(HTTPField(name: .webhookID, value: "msg_2"))
        #expect(fields.value(of: .webhookID) == "msg_1, msg_2")
        fields.append(HTTPField(name: .cookie, value: "a=1"))
        fields.append(HTTPField(name: .cookie, value: "b=2"))
        for name in [HTTPField.Name.webhookID, .contentType, .cookie, .webhookSignature] {
            #expect(fields.value(of: name) == fields[name], "\(name)")
        }
    }
}
