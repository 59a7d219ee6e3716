import Foundation
import HelpDeskAPI

/// What one Standard Webhooks verification costs: the receiver's check of a delivery like the load test's (an id,
/// a timestamp, one `v1` signature, a body of about 90 bytes), timed in this process over many verifications.
public enum SignatureTiming {
    /// Verifications per timed batch.
    static let batch = 20_000

    /// The median over `batches` batches of the wall time per verification, in microseconds.
    public static func microsecondsPerVerification(batches: Int = 5) throws -> Double {
        let secret = WebhookSecret.generate()
        let body = Data(#"{"agentId":"agent_1","documentId":"doc_4242","documentStatus":"ACCEPTED"}"#.utf8)
        let now = Date()
        let timestamp = Int64(now.timeIntervalSince1970)
        let headers = WebhookSigner(secret: secret).headers(id: "msg_load_4242", timestamp: timestamp, body: body)
        let verifier = WebhookVerifier(secret: secret)
        let clock = ContinuousClock()
        var perVerification: [Double] = []
        for _ in 0..<batches {
            let started = clock.now
            for _ in 0..<batch {
                try verifier.verify(id: headers.id, timestamp: headers.timestamp, signature: headers.signature, body: body, now: now)
            }
            perVerification.append((clock.now - started).secondsValue * 1e6 / Double(batch))
        }
        return perVerification.sorted()[batches / 2]
    }
}
