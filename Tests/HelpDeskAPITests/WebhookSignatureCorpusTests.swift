import Crypto
import Foundation
import Testing

@testable import HelpDeskAPI

/// The verifier's allocation-free reading of the common header against a reference written the plain way: the
/// header split on spaces, each `v1` payload decoded by Foundation, compared with swift-crypto's `HMAC<SHA256>`.
/// Both must accept and refuse exactly the same headers, with the same error.
struct WebhookSignatureCorpusTests {
    let secret = try! WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    let timestamp = "1614265330"
    let body = Data(#"{"test": 2432232314}"#.utf8)
    let valid = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

    /// "accepted", or the refusal's code.
    func reference(_ header: String) -> String {
        if header.isEmpty { return "missing_header" }
        let mac = Data(HMAC<SHA256>.authenticationCode(for: Data("\(id).\(timestamp).".utf8) + body, using: secret.key))
        var signatures: [Data] = []
        for entry in header.split(separator: " ", omittingEmptySubsequences: true) {
            guard let comma = entry.firstIndex(of: ",") else { return "bad_format" }
            guard entry[..<comma] == "v1" else { continue }
            guard let bytes = Data(base64Encoded: String(entry[entry.index(after: comma)...])) else { return "bad_format" }
            signatures.append(bytes)
        }
        if signatures.isEmpty { return "bad_format" }
        return signatures.contains(mac) ? "accepted" : "mismatch"
    }

    func verified(_ header: String) -> String {
        do {
            try WebhookVerifier(secret: secret).verify(
                id: id, timestamp: timestamp, signature: header, body: body, now: Date(timeIntervalSince1970: 1_614_265_330)
            )
            return "accepted"
        } catch {
            return error.code
        }
    }

    var corpus: [String] {
        var headers = [
            "v1,\(valid)", "  v1,\(valid)  ", "v1a,x v1,\(valid)", "v2,abc v1,\(valid)", "v1,\(valid) v1,\(valid)",
            "v1,\(valid.dropLast())", "v1,\(valid)=", "v1,\(valid.dropLast())A", "v1,", "v1", "v1,\(valid),", ",\(valid)",
            "V1,\(valid)", "v10,\(valid)", "v1,\(valid)\tv1,\(valid)", "v1,\(valid) \u{301}", "v1,é\(valid.dropFirst())",
            "v2,\(valid)", "", " ", "v1,AAAA", "v1,====", "v1,AA=A", "v1,\(valid.replacingOccurrences(of: "+", with: "-"))",
            "v1,\(String(repeating: "A", count: 43))=", "v1,\(valid) garbage", "v1,\(String(valid.reversed()))",
        ]
        // The last character carries two unused bits: every other value of them decodes to the same MAC.
        let stem = valid.dropLast(2)
        for last in ["E", "F", "G", "H", "I"] { headers.append("v1,\(stem)\(last)=") }
        // Every character changed, one at a time, to a neighbour in and out of the alphabet.
        let characters = Array(valid)
        for index in characters.indices {
            for replacement in ["A", "/", "=", "*", "z"] where String(characters[index]) != replacement {
                var changed = characters
                changed[index] = Character(replacement)
                headers.append("v1,\(String(changed))")
            }
        }
        return headers
    }

    @Test func readsEveryHeaderOfTheCorpusAsTheReferenceDoes() {
        for header in corpus {
            #expect(verified(header) == reference(header), "\(header.debugDescription)")
        }
        #expect(corpus.filter { reference($0) == "accepted" }.count >= 8, "the corpus holds accepted headers")
    }

    @Test func theKeyedMACIsHMACSHA256ForKeysOfEveryLength() {
        for length in [1, 24, 32, 63, 64, 65, 100, 200] {
            let key = SymmetricKey(data: (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
            let keyed = KeyedHMAC(key: key)
            for bodyLength in [0, 1, 55, 56, 63, 64, 65, 300, 1000] {
                let body = Data((0..<bodyLength).map { UInt8(truncatingIfNeeded: $0 &* 7) })
                let expected = Data(HMAC<SHA256>.authenticationCode(for: Data("id.123.".utf8) + body, using: key))
                #expect(Data(keyed.mac(id: "id", timestamp: "123", body: body)) == expected, "key \(length) body \(bodyLength)")
                #expect(Data(keyed.mac(id: "id", timestamp: "123", body: Array(body))) == expected, "as an array")
            }
        }
    }
}
