import Foundation
import HelpDeskAPI
import Testing

@testable import Flows
@testable import ServerSupport

/// The receiver's plain reading of webhook bodies against `Codable`: the same corpus through both, the same answer
/// for every body (the decoded webhook, or the same status, message and field).
struct IncomingWebhookTests {
    enum Answer: Hashable {
        case decoded(IncomingWebhook)
        case refused(status: Int, body: APIErrorBody)
    }

    func answer(_ read: () throws(APIError) -> IncomingWebhook) -> Answer {
        do {
            return .decoded(try read())
        } catch {
            return .refused(status: error.status.code, body: error.body)
        }
    }

    static let valid = #"{"agentId":"agent_1","documentId":"doc_42","documentStatus":"ACCEPTED"}"#

    /// The bad bodies of the receiver's bad-input cases, the bodies vendors send, and every body one edit away from a
    /// valid one (a byte removed, doubled, or replaced by a quote, a brace, a backslash, a space or a letter).
    static var corpus: [Data] {
        var bodies = [
            "", "accepted, thanks", #"{"agentId": "agent_1", "documentId": "#, #"[{"documentId": "doc"}]"#, #""ACCEPTED""#, "42", "null",
            #"{"agentId": "agent_1", "documentStatus": "ACCEPTED"}"#, #"{"documentId": "doc_1", "documentStatus": "ACCEPTED"}"#,
            #"{"agentId": "agent_1", "documentId": "doc_1"}"#, #"{"agentId": "agent_1", "documentId": 7, "documentStatus": "ACCEPTED"}"#,
            #"{"agentId": "agent_1", "documentId": null, "documentStatus": "ACCEPTED"}"#,
            #"{"agentId": "agent_1", "documentId": "", "documentStatus": "ACCEPTED"}"#,
            #"{"agentId": "agent_1", "documentId": "doc_1", "documentStatus": "MAYBE"}"#,
            #"{"agentId": "agent_1", "documentId": "doc_1", "documentStatus": "accepted"}"#,
            #"{"agentId": "agent_1", "documentId": "doc_1", "documentStatus": "PENDING_REVIEW"}"#,
            #"{"agentId": "agent_1", "documentId": "doc_1", "documentStatus": 1}"#,
            #"{"agentId": 1, "documentId": "doc_1", "documentStatus": "ACCEPTED"}"#,
            #"{"agentId": "a", "documentId": "doc_1", "documentStatus": "ACCEPTED", "metadata": "x"}"#,
            #"{"agentId": "a", "documentId": "doc_1", "documentStatus": "ACCEPTED", "metadata": {"k": 1}}"#,
            #"{"agentId": "a", "documentId": "doc_1", "documentStatus": "DECLINED", "metadata": {"k": "v", "team": "legal"}}"#,
            #"{"agentId": "a", "documentId": "doc_1", "documentStatus": "DECLINED", "metadata": {}}"#,
            #"{"agentId": "a", "documentId": "doc_1", "documentStatus": "DECLINED", "metadata": null}"#,
            #"{"agentId": "a", "documentId": "doc_1", "documentStatus": "DECLINED", "metadata": {"k": "v", "k": "w"}}"#,
            #"{"documentId": 12}"#, #"{"documentId": ""}"#, "{}", #"{"documentId": "doc_7"}"#, #"{"documentId": "doc_7", "metadata": 5}"#,
            #" { "documentId" : "doc_7" } "#, "\t{\r\n\"documentId\":\"doc_7\"}\n", #"{"documentId": "d\u006fc_7"}"#,
            #"{"documentId": "döc_7"}"#, #"{"documentId": "doc_7", "extra": true}"#, #"{"documentId": "doc_7", "documentId": "doc_8"}"#,
            #"{"agentId": null, "documentId": "doc_1", "documentStatus": "ACCEPTED"}"#, #"{"documentStatus": null, "documentId": "doc_1"}"#,
            #"{"documentId": "doc_7",}"#, #"{"documentId": "doc_7"} {}"#, #"{"documentId": "doc_7"}x"#, "{\"documentId\": \"doc\u{7}\"}",
            valid, valid.replacingOccurrences(of: "ACCEPTED", with: "DECLINED"),
        ].map { Data($0.utf8) }
        bodies.append(Data([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D]))
        let bytes = Array(valid.utf8)
        for index in bytes.indices {
            var removed = bytes
            removed.remove(at: index)
            bodies.append(Data(removed))
            var doubled = bytes
            doubled.insert(bytes[index], at: index)
            bodies.append(Data(doubled))
            for replacement in "\"{}\\ x:,".utf8 where replacement != bytes[index] {
                var replaced = bytes
                replaced[index] = replacement
                bodies.append(Data(replaced))
            }
        }
        return bodies
    }

    @Test func bothReadingsAnswerEveryBodyOfTheCorpusAlike() {
        let corpus = Self.corpus
        var plain = 0
        for body in corpus {
            let fast = answer { () throws(APIError) in try IncomingWebhook.decode(body) }
            let reference = answer { () throws(APIError) in try IncomingWebhook.validated(IncomingWebhook.decodeWithCodable(body)) }
            #expect(fast == reference, "\(String(decoding: body, as: UTF8.self).debugDescription)")
            if body.withUnsafeBytes({ PlainWebhookBody.read($0) }) != nil { plain += 1 }
        }
        #expect(corpus.count > 700)
        #expect(plain >= 10, "the plain reading took its share of the corpus")
    }

    @Test func theBodiesVendorsSendAreReadThePlainWay() throws {
        let full = WebhookPayload(agentId: "agent_1", documentId: "doc_42", documentStatus: .declined, metadata: ["team": "legal"])
        for body in [Data(Self.valid.utf8), try HelpDeskJSON.encode(full), try HelpDeskJSON.encode(ThinWebhookPayload(documentId: "doc_42"))] {
            let read = body.withUnsafeBytes { PlainWebhookBody.read($0) }
            #expect(read != nil, "\(String(decoding: body, as: UTF8.self))")
            #expect(read == (try? IncomingWebhook.decodeWithCodable(body)))
        }
    }
}
