import Foundation
import HelpDeskAPI
import NIOCore
import SimulationSupport

/// Raw HTTP/1.1 requests encoded before a load test starts, so the load generator does nothing per request but
/// write bytes: one buffer holds them all, and each request is a slice of it (no copy, no request object).
public struct PreEncodedRequests: Sendable {
    private let storage: ByteBuffer
    /// Request `i` spans `offsets[i]..<offsets[i + 1]` of `storage`.
    private let offsets: [Int]

    public var count: Int { offsets.count - 1 }

    /// Request `index`, wrapping around after the last.
    public func request(_ index: Int) -> ByteBuffer {
        let slot = index % count
        return storage.getSlice(at: offsets[slot], length: offsets[slot + 1] - offsets[slot])!
    }

    /// Signed deliveries of full webhooks: each with its own `webhook-id`, the documents visited in a seeded order
    /// that reaches every one of `rows` before any comes again, and each document's verdict fixed by the seed
    /// (`ACCEPTED` with probability `acceptRatio`), so a document met a second time gets the same verdict.
    /// - Parameters:
    ///   - count: How many requests.
    ///   - rows: The pending rows, `doc_0` to `doc_<rows - 1>` (``PendingRows``).
    ///   - path: The request target.
    ///   - host: The `Host` header.
    ///   - secret: Signs every delivery.
    ///   - timestamp: The `webhook-timestamp` of them all, Unix seconds.
    public static func deliveries(
        count: Int,
        rows: Int,
        path: String,
        host: String,
        secret: WebhookSecret,
        seed: UInt64,
        acceptRatio: Double = 0.7,
        timestamp: Int64
    ) -> PreEncodedRequests {
        precondition(count > 0 && rows > 0)
        let signer = WebhookSigner(secret: secret)
        let walk = PermutationWalk(count: rows, seed: seed)
        var storage = ByteBufferAllocator().buffer(capacity: count * 420)
        var offsets = [0]
        offsets.reserveCapacity(count + 1)
        for index in 0..<count {
            let document = walk.element(index)
            var random = SeededGenerator(seed: seed, stream: "receiver-load/verdict", index: UInt64(document))
            let status: DocumentStatus = random.nextUnit() < acceptRatio ? .accepted : .declined
            let body = #"{"agentId":"agent_1","documentId":"\#(PendingRows.documentId(document))","documentStatus":"\#(status.rawValue)"}"#
            let id = "msg_load_\(index)"
            let signature = signer.signature(id: id, timestamp: timestamp, body: Data(body.utf8))
            storage.writeString(
                "POST \(path) HTTP/1.1\r\nHost: \(host)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
                    + "webhook-id: \(id)\r\nwebhook-timestamp: \(timestamp)\r\nwebhook-signature: \(signature)\r\n\r\n\(body)"
            )
            offsets.append(storage.writerIndex)
        }
        return PreEncodedRequests(storage: storage, offsets: offsets)
    }
}

/// Visits `0..<count` in a seeded order, each value once per `count` steps: `(start + i × stride) mod count` with a
/// stride coprime to `count`.
struct PermutationWalk: Sendable {
    let count: Int
    let start: Int
    let stride: Int

    init(count: Int, seed: UInt64) {
        var random = SeededGenerator(seed: seed, stream: "permutation-walk", index: UInt64(count))
        self.count = count
        self.start = Int(random.next() % UInt64(count))
        var stride = Int(random.next() % UInt64(count)) | 1
        while Self.gcd(stride, count) != 1 { stride += 1 }
        self.stride = stride % max(count, 1) == 0 ? 1 : stride
    }

    func element(_ index: Int) -> Int {
        Int((UInt64(start) &+ UInt64(index % count) &* UInt64(stride)) % UInt64(count))
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        b == 0 ? a : gcd(b, a % b)
    }
}
