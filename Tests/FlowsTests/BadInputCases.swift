import Foundation
import HelpDeskAPI
import NIOHTTP1

@testable import Flows

/// The bad requests of ``BadInputTests``, by target.
extension BadInputTests {
    private static let big = Data(repeating: UInt8(ascii: "a"), count: 1 << 20)
    private static let documentUrl = #"{"documentUrl": "https://example.com/a.pdf"}"#

    static func json(_ text: String) -> Data { Data(text.utf8) }

    private static func receiver(_ name: String, _ body: Data?, signing: Signing = .valid, contentType: String? = "application/json", _ status: Int, _ field: String? = nil) -> Case {
        Case(name: name, target: .receiver, path: "/document/update", body: body, contentType: contentType, signing: signing, status: status, field: field)
    }

    private static func submit(_ name: String, _ body: Data?, headers: [(String, String)] = [], contentType: String? = "application/json", _ status: Int, _ field: String? = nil) -> Case {
        Case(name: name, target: .helpDesk, path: "/document", body: body, contentType: contentType, headers: headers, status: status, field: field)
    }

    private static func callback(_ name: String, _ url: String) -> Case {
        submit(name, json(documentUrl), headers: [("X-Callback-Url", url)], 400, "X-Callback-Url")
    }

    private static func get(_ target: Target, _ path: String, _ status: Int, _ field: String? = nil) -> Case {
        Case(name: "GET \(path)", target: target, method: .GET, path: path, contentType: nil, status: status, field: field)
    }

    /// The body of a valid full webhook for the pending document, filled in at run time.
    static let pendingVerdict = "PENDING_DOCUMENT"

    static func verdict(_ status: String = "ACCEPTED", documentId: String = pendingVerdict) -> Data {
        json(#"{"agentId": "agent_1", "documentId": "\#(documentId)", "documentStatus": "\#(status)"}"#)
    }

    static let receiverCases: [Case] = [
        receiver("no webhook-id", verdict(), signing: .altered { headers, _ in headers.filter { $0.0 != "webhook-id" } }, 401, "webhook-id"),
        receiver("no webhook-timestamp", verdict(), signing: .altered { headers, _ in headers.filter { $0.0 != "webhook-timestamp" } }, 401, "webhook-timestamp"),
        receiver("no webhook-signature", verdict(), signing: .altered { headers, _ in headers.filter { $0.0 != "webhook-signature" } }, 401, "webhook-signature"),
        receiver("no signature headers at all", verdict(), signing: .none, 401, "webhook-id"),
        receiver("empty webhook-id", verdict(), signing: .altered(replace("webhook-id", "")), 401, "webhook-id"),
        receiver("timestamp not a number", verdict(), signing: .altered(replace("webhook-timestamp", "soon")), 401, "webhook-timestamp"),
        receiver("timestamp with decimals", verdict(), signing: .altered { headers, harness in replace(headers, "webhook-timestamp", "\(Int(harness.wallClock().timeIntervalSince1970)).5") }, 401, "webhook-timestamp"),
        receiver("negative timestamp", verdict(), signing: .altered(replace("webhook-timestamp", "-1")), 401, "webhook-timestamp"),
        receiver("stale timestamp", verdict(), signing: .at(-301), 401, "webhook-timestamp"),
        receiver("a captured request replayed an hour later", verdict(), signing: .at(-3600), 401, "webhook-timestamp"),
        receiver("future timestamp", verdict(), signing: .at(301), 401, "webhook-timestamp"),
        receiver("signature without a version", verdict(), signing: .altered(replace("webhook-signature", "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")), 401, "webhook-signature"),
        receiver("signature not base64", verdict(), signing: .altered(replace("webhook-signature", "v1,***")), 401, "webhook-signature"),
        receiver("only a v2 signature", verdict(), signing: .altered(replace("webhook-signature", "v2,g0hM9SsE")), 401, "webhook-signature"),
        receiver("empty v1 signature", verdict(), signing: .altered(replace("webhook-signature", "v1,")), 401, "webhook-signature"),
        receiver("empty signature header", verdict(), signing: .altered(replace("webhook-signature", "")), 401, "webhook-signature"),
        receiver("truncated signature", verdict(), signing: .altered { headers, _ in
            headers.map { $0.0 == "webhook-signature" ? ($0.0, String($0.1.dropLast(4))) : $0 }
        }, 401, "webhook-signature"),
        receiver("signed with another secret", verdict(), signing: .altered { headers, harness in
            let timestamp = Int64(harness.wallClock().timeIntervalSince1970)
            return replace(headers, "webhook-signature", WebhookSigner(secret: .generate()).signature(id: "msg_forged", timestamp: timestamp, body: Data()))
        }, 401, "webhook-signature"),
        receiver("signature over another body", verdict(), signing: .otherBody(verdict("DECLINED")), 401, "webhook-signature"),
        receiver("signature for another webhook-id", verdict(), signing: .altered(replace("webhook-id", "msg_other")), 401, "webhook-signature"),
        receiver("signature for another timestamp", verdict(), signing: .altered { headers, harness in
            replace(headers, "webhook-timestamp", String(Int(harness.wallClock().timeIntervalSince1970) - 1))
        }, 401, "webhook-signature"),
        receiver("empty body", Data(), 400),
        receiver("not JSON", json("accepted, thanks"), 400),
        receiver("truncated JSON", json(#"{"agentId": "agent_1", "documentId": "#), 400),
        receiver("a JSON array", json(#"[{"documentId": "doc"}]"#), 400),
        receiver("a JSON string", json(#""ACCEPTED""#), 400),
        receiver("a JSON number", json("42"), 400),
        receiver("JSON null", json("null"), 400),
        receiver("invalid UTF-8", Data([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D]), 400),
        receiver("a 1 MiB body", big, 413),
        receiver("64 KiB and one byte", Data(repeating: UInt8(ascii: " "), count: 64 * 1024 + 1), 413),
        receiver("text/plain", verdict(), contentType: "text/plain", 415, "Content-Type"),
        receiver("no content type", verdict(), contentType: nil, 415, "Content-Type"),
        receiver("application/xml", verdict(), contentType: "application/xml", 415, "Content-Type"),
        receiver("no documentId", json(#"{"agentId": "agent_1", "documentStatus": "ACCEPTED"}"#), 422, "documentId"),
        receiver("no agentId", json(#"{"documentId": "\#(pendingVerdict)", "documentStatus": "ACCEPTED"}"#), 422, "agentId"),
        receiver("no documentStatus", json(#"{"agentId": "agent_1", "documentId": "\#(pendingVerdict)"}"#), 422, "documentStatus"),
        receiver("documentId a number", json(#"{"agentId": "agent_1", "documentId": 7, "documentStatus": "ACCEPTED"}"#), 422, "documentId"),
        receiver("documentId null", json(#"{"agentId": "agent_1", "documentId": null, "documentStatus": "ACCEPTED"}"#), 422, "documentId"),
        receiver("documentId empty", verdict(documentId: ""), 422, "documentId"),
        receiver("unknown status", verdict("MAYBE"), 422, "documentStatus"),
        receiver("status in lower case", verdict("accepted"), 422, "documentStatus"),
        receiver("status PENDING_REVIEW", verdict("PENDING_REVIEW"), 422, "documentStatus"),
        receiver("status a number", json(#"{"agentId": "agent_1", "documentId": "\#(pendingVerdict)", "documentStatus": 1}"#), 422, "documentStatus"),
        receiver("agentId a number", json(#"{"agentId": 1, "documentId": "\#(pendingVerdict)", "documentStatus": "ACCEPTED"}"#), 422, "agentId"),
        receiver("metadata a string", json(#"{"agentId": "a", "documentId": "\#(pendingVerdict)", "documentStatus": "ACCEPTED", "metadata": "x"}"#), 422, "metadata"),
        receiver("metadata value a number", json(#"{"agentId": "a", "documentId": "\#(pendingVerdict)", "documentStatus": "ACCEPTED", "metadata": {"k": 1}}"#), 422, "metadata.k"),
        receiver("thin with a numeric id", json(#"{"documentId": 12}"#), 422, "documentId"),
        receiver("thin with an empty id", json(#"{"documentId": ""}"#), 422, "documentId"),
        receiver("an empty object", json("{}"), 422, "documentId"),
        receiver("the other verdict for a decided document", verdict("ACCEPTED", documentId: "DECIDED_DOCUMENT"), 409, "documentStatus"),
        receiver("a verdict for a document we never stored (kept aside, rows untouched)", verdict("ACCEPTED", documentId: "doc_never_submitted"), 202),
        Case(name: "GET on the receiver", target: .receiver, method: .GET, path: "/document/update", contentType: nil, status: 404),
        Case(name: "PUT on the receiver", target: .receiver, method: .PUT, path: "/document/update", body: verdict(), signing: .valid, status: 404),
    ]

    static let helpDeskCases: [Case] = [
        submit("empty body", Data(), 400),
        submit("not JSON", json("please review"), 400),
        submit("a JSON array", json("[]"), 400),
        submit("invalid UTF-8", Data([0x7B, 0xFF, 0x7D]), 400),
        submit("no documentUrl", json("{}"), 400, "documentUrl"),
        submit("documentUrl a number", json(#"{"documentUrl": 5}"#), 400, "documentUrl"),
        submit("documentUrl null", json(#"{"documentUrl": null}"#), 400, "documentUrl"),
        submit("documentUrl empty", json(#"{"documentUrl": ""}"#), 400, "documentUrl"),
        submit("documentUrl relative", json(#"{"documentUrl": "/a.pdf"}"#), 400, "documentUrl"),
        submit("documentUrl ftp", json(#"{"documentUrl": "ftp://example.com/a.pdf"}"#), 400, "documentUrl"),
        submit("documentUrl javascript", json(#"{"documentUrl": "javascript:alert(1)"}"#), 400, "documentUrl"),
        submit("documentUrl too long", json(#"{"documentUrl": "https://example.com/\#(String(repeating: "a", count: 3000))"}"#), 400, "documentUrl"),
        submit("a misspelt field", json(#"{"documentURL": "https://example.com/a.pdf"}"#), 400, "documentUrl"),
        submit("an extra field", json(#"{"documentUrl": "https://example.com/a.pdf", "priority": "high"}"#), 400, "priority"),
        submit("metadata a string", json(#"{"documentUrl": "https://example.com/a.pdf", "metadata": "x"}"#), 400, "metadata"),
        submit("metadata value a number", json(#"{"documentUrl": "https://example.com/a.pdf", "metadata": {"k": 1}}"#), 400, "metadata.k"),
        submit("metadata with 51 keys", json(#"{"documentUrl": "https://example.com/a.pdf", "metadata": {\#((0..<51).map { "\"k\($0)\": \"v\"" }.joined(separator: ","))}}"#), 400, "metadata"),
        submit("metadata value too long", json(#"{"documentUrl": "https://example.com/a.pdf", "metadata": {"k": "\#(String(repeating: "v", count: 501))"}}"#), 400, "metadata.k"),
        submit("a 1 MiB body", big, 413),
        submit("text/plain", json(documentUrl), contentType: "text/plain", 415, "Content-Type"),
        submit("no content type", json(documentUrl), contentType: nil, 415, "Content-Type"),
        callback("callback over ftp", "ftp://127.0.0.1/hook"),
        callback("callback to a file", "file:///etc/passwd"),
        callback("callback with credentials", "http://user:secret@127.0.0.1/hook"),
        callback("callback outside the allow-list", "https://example.com/hook"),
        callback("callback to a private address", "http://10.0.0.1/hook"),
        callback("callback to a look-alike host", "http://127.0.0.1.example.com/hook"),
        callback("callback with encoded CRLF", "http://127.0.0.1/hook%0D%0AX-Injected:%201"),
        callback("callback relative", "/document/update"),
        callback("callback with a fragment", "http://127.0.0.1/hook#part"),
        callback("callback too long", "http://127.0.0.1/" + String(repeating: "a", count: 3000)),
        submit("callback payload unknown", json(documentUrl), headers: [("X-Callback-Url", "http://127.0.0.1/h"), ("X-Callback-Payload", "medium")], 400, "X-Callback-Payload"),
        submit("idempotency key empty", json(documentUrl), headers: [("X-Idempotency-Key", "")], 400, "X-Idempotency-Key"),
        submit("idempotency key too long", json(documentUrl), headers: [("X-Idempotency-Key", String(repeating: "k", count: 256))], 400, "X-Idempotency-Key"),
        submit("idempotency key with a space", json(documentUrl), headers: [("X-Idempotency-Key", "two words")], 400, "X-Idempotency-Key"),
        get(.helpDesk, "/document/doc_missing", 404, "documentId"),
        get(.helpDesk, "/document/PENDING_DOCUMENT?wait=-1", 400, "wait"),
        get(.helpDesk, "/document/PENDING_DOCUMENT?wait=soon", 400, "wait"),
        get(.helpDesk, "/document/PENDING_DOCUMENT?wait=100000", 400, "wait"),
        get(.helpDesk, "/events?after=bogus", 400, "after"),
        get(.helpDesk, "/events?after=evt_999999", 400, "after"),
        get(.helpDesk, "/events?limit=0", 400, "limit"),
        get(.helpDesk, "/events?limit=many", 400, "limit"),
        get(.helpDesk, "/deliveries?status=lost", 400, "status"),
        Case(name: "retry of an unknown delivery", target: .helpDesk, path: "/deliveries/dlv_missing/retry", contentType: nil, status: 404, field: "id"),
        get(.helpDesk, "/nowhere", 404),
    ]

    static let apiCases: [Case] = [
        Case(name: "empty body", target: .api, path: "/reviews", body: Data(), status: 400),
        Case(name: "not JSON", target: .api, path: "/reviews", body: json("review this"), status: 400),
        Case(name: "no documentUrl", target: .api, path: "/reviews", body: json("{}"), status: 400, field: "documentUrl"),
        Case(name: "documentUrl a number", target: .api, path: "/reviews", body: json(#"{"documentUrl": 1}"#), status: 400, field: "documentUrl"),
        Case(name: "documentUrl ftp", target: .api, path: "/reviews", body: json(#"{"documentUrl": "ftp://x/a"}"#), status: 400, field: "documentUrl"),
        Case(name: "an extra field", target: .api, path: "/reviews", body: json(#"{"documentUrl": "https://x.test/a", "callback": "x"}"#), status: 400, field: "callback"),
        Case(name: "a 1 MiB body", target: .api, path: "/reviews", body: big, status: 413),
        Case(name: "text/plain", target: .api, path: "/reviews", body: json(documentUrl), contentType: "text/plain", status: 415, field: "Content-Type"),
        get(.api, "/reviews/doc_missing", 404, "documentId"),
        get(.api, "/reviews?status=LOST", 400, "status"),
        get(.api, "/reviews?limit=0", 400, "limit"),
        get(.api, "/reviews?limit=lots", 400, "limit"),
        get(.api, "/nowhere", 404),
    ]

    static func replace(_ headers: [(String, String)], _ name: String, _ value: String) -> [(String, String)] {
        headers.map { $0.0 == name ? (name, value) : $0 }
    }

    static func replace(_ name: String, _ value: String) -> @Sendable ([(String, String)], FlowHarness) -> [(String, String)] {
        { headers, _ in replace(headers, name, value) }
    }
}
