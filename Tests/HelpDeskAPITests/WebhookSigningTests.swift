import Foundation
import HelpDeskAPI
import Testing

struct WebhookSigningTests {
    // The vector of the Standard Webhooks reference libraries.
    let secret = try! WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    let timestamp: Int64 = 1_614_265_330
    let body = Data(#"{"test": 2432232314}"#.utf8)
    let expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    var signedAt: Date { Date(timeIntervalSince1970: TimeInterval(timestamp)) }

    @Test func signsTheStandardWebhooksTestVector() {
        #expect(WebhookSigner(secret: secret).signature(id: id, timestamp: timestamp, body: body) == expected)
    }

    @Test func verifiesTheTestVector() throws {
        try WebhookVerifier(secret: secret).verify(id: id, timestamp: String(timestamp), signature: expected, body: body, now: signedAt)
    }

    @Test func acceptsAnyOfSeveralSignatures() throws {
        let header = "v1,Ymx1ZWJlcnJ5 v1a,c29tZXRoaW5nIGVsc2U= \(expected)"
        try WebhookVerifier(secret: secret).verify(id: id, timestamp: String(timestamp), signature: header, body: body, now: signedAt)
    }

    @Test func acceptsAnyOfSeveralSecretsWhileRotating() throws {
        let verifier = WebhookVerifier(secrets: [WebhookSecret.generate(), secret])
        try verifier.verify(id: id, timestamp: String(timestamp), signature: expected, body: body, now: signedAt)
    }

    @Test(arguments: [
        (nil, "1614265330", "v1,x", "missing_header", "webhook-id"),
        ("msg_1", nil, "v1,x", "missing_header", "webhook-timestamp"),
        ("msg_1", "1614265330", nil, "missing_header", "webhook-signature"),
        ("msg_1", "", "v1,x", "missing_header", "webhook-timestamp"),
        ("msg_1", "16142653.30", "v1,x", "bad_format", "webhook-timestamp"),
        ("msg_1", "-1614265330", "v1,x", "bad_format", "webhook-timestamp"),
        ("msg_1", "1614265330", "g0hM9SsE", "bad_format", "webhook-signature"),
        ("msg_1", "1614265330", "v1,***", "bad_format", "webhook-signature"),
        ("msg_1", "1614265330", "v2,g0hM9SsE", "bad_format", "webhook-signature"),
    ] as [(String?, String?, String?, String, String)])
    func refusesMalformedHeaders(id: String?, timestamp: String?, signature: String?, code: String, header: String) {
        let error = #expect(throws: WebhookVerificationError.self) {
            try WebhookVerifier(secret: secret).verify(id: id, timestamp: timestamp, signature: signature, body: body, now: signedAt)
        }
        #expect(error?.code == code)
        #expect(error?.header == header)
    }

    @Test(arguments: [(-301.0, "stale"), (301.0, "future")])
    func refusesTimestampsOutsideTheTolerance(offset: Double, code: String) {
        let now = signedAt.addingTimeInterval(-offset)
        let error = #expect(throws: WebhookVerificationError.self) {
            try WebhookVerifier(secret: secret).verify(id: id, timestamp: String(timestamp), signature: expected, body: body, now: now)
        }
        #expect(error?.code == code)
    }

    @Test func acceptsTimestampsWithinTheTolerance() throws {
        for offset in [-299.0, 299.0] {
            let now = signedAt.addingTimeInterval(offset)
            try WebhookVerifier(secret: secret).verify(id: id, timestamp: String(timestamp), signature: expected, body: body, now: now)
        }
    }

    @Test func refusesAnyChangeToWhatWasSigned() {
        let verifier = WebhookVerifier(secret: secret)
        let cases: [(String, String, Data)] = [
            ("msg_other", String(timestamp), body),
            (id, String(timestamp + 1), body),
            (id, String(timestamp), Data(#"{"test": 2432232315}"#.utf8)),
        ]
        for (id, timestamp, body) in cases {
            let error = #expect(throws: WebhookVerificationError.self) {
                try verifier.verify(id: id, timestamp: timestamp, signature: expected, body: body, now: signedAt)
            }
            #expect(error?.code == "mismatch")
        }
    }

    @Test func refusesASignatureMadeWithAnotherSecret() {
        let forged = WebhookSigner(secret: .generate()).signature(id: id, timestamp: timestamp, body: body)
        let error = #expect(throws: WebhookVerificationError.self) {
            try WebhookVerifier(secret: secret).verify(id: id, timestamp: String(timestamp), signature: forged, body: body, now: signedAt)
        }
        #expect(error?.code == "mismatch")
    }

    @Test(arguments: ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_not base64!", "whsec_c2hvcnQ=", "whsec_"])
    func refusesMalformedSecrets(text: String) {
        #expect(throws: WebhookSecretError.self) { try WebhookSecret(text) }
    }

    @Test func generatedSecretsRoundTripAndNeverPrintTheirKey() throws {
        let secret = WebhookSecret.generate()
        #expect(secret.encoded.hasPrefix("whsec_"))
        #expect(try WebhookSecret(secret.encoded).encoded == secret.encoded)
        #expect(!"\(secret)".contains(secret.encoded.dropFirst(6)))
    }
}
