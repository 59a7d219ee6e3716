import Foundation
import HelpDeskAPI
import Logging
import NIOCore
import ServerSupport
import Testing

@testable import BenchKit

struct ReceiverBenchmarkTests {
    @Test func theScannerSplitsResponsesWhereverTheReadsEnd() throws {
        let stream = "HTTP/1.1 200 OK\r\ncontent-length: 20\r\ncontent-type: application/json\r\n\r\n{\"result\":\"applied\"}"
            + "HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nCONTENT-LENGTH: 2\r\n\r\n{}"
        let bytes = Array(stream.utf8)
        for cut in [1, 17, 60, bytes.count - 3] {
            var scanner = HTTPResponseScanner()
            var responses: [HTTPResponseScanner.Response] = []
            for piece in [bytes[..<cut], bytes[cut...]] {
                var buffer = ByteBuffer(bytes: piece)
                scanner.feed(&buffer)
                while let response = try scanner.next() { responses.append(response) }
            }
            #expect(responses == [.init(status: 200, bodyLength: 20), .init(status: 409, bodyLength: 2)], "cut at \(cut)")
        }
    }

    @Test func aResponseWithoutALengthIsRefused() {
        var scanner = HTTPResponseScanner()
        var buffer = ByteBuffer(string: "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
        scanner.feed(&buffer)
        #expect(throws: HTTPResponseScanner.ScanError.missingContentLength) { try scanner.next() }
        var garbage = HTTPResponseScanner()
        var text = ByteBuffer(string: "hello there, this is not HTTP\r\n\r\n")
        garbage.feed(&text)
        #expect(throws: HTTPResponseScanner.ScanError.malformedStatusLine) { try garbage.next() }
    }

    @Test(arguments: [1, 2, 7, 1000, 99_991, 100_000])
    func theWalkVisitsEveryRowOnceBeforeAnyAgain(rows: Int) {
        let walk = PermutationWalk(count: rows, seed: 42)
        let visited = (0..<rows).map(walk.element)
        #expect(Set(visited).count == rows)
        #expect(visited.allSatisfy { (0..<rows).contains($0) })
        #expect(walk.element(rows) == walk.element(0))
    }

    @Test func preEncodedDeliveriesAreUniqueAndValidlySigned() throws {
        let secret = WebhookSecret.generate()
        let timestamp = Int64(Date().timeIntervalSince1970)
        let requests = PreEncodedRequests.deliveries(count: 50, rows: 20, path: "/document/update", host: "127.0.0.1:1", secret: secret, seed: 7, timestamp: timestamp)
        #expect(requests.count == 50)
        var ids = Set<String>()
        var verdicts: [String: String] = [:]
        for index in 0..<requests.count {
            let text = String(buffer: requests.request(index))
            let parts = text.components(separatedBy: "\r\n\r\n")
            #expect(parts.count == 2)
            var headers: [String: String] = [:]
            for line in parts[0].components(separatedBy: "\r\n").dropFirst() {
                let pair = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                headers[pair[0].lowercased()] = pair[1]
            }
            let body = Data(parts[1].utf8)
            #expect(Int(headers["content-length"] ?? "") == body.count)
            try WebhookVerifier(secret: secret).verify(id: headers["webhook-id"], timestamp: headers["webhook-timestamp"], signature: headers["webhook-signature"], body: body)
            ids.insert(headers["webhook-id"] ?? "")
            let payload = try HelpDeskJSON.decode(WebhookPayload.self, from: body)
            // A document met again gets the same verdict, so a repeat is "already applied", never a conflict.
            #expect(verdicts[payload.documentId].map { $0 == payload.documentStatus.rawValue } ?? true)
            verdicts[payload.documentId] = payload.documentStatus.rawValue
        }
        #expect(ids.count == 50)
        #expect(verdicts.count == 20, "50 deliveries over 20 rows reach every row")
    }

    @Test func aShortLoadTestCommitsEveryDeliveryItAnswered() async throws {
        var benchmark = ReceiverBenchmark()
        benchmark.rows = 300
        benchmark.connections = 4
        benchmark.duration = .milliseconds(300)
        benchmark.warmup = .zero
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("receiver-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try await benchmark.run(driver: .inProcess, in: folder, logger: .quiet)
        // Counts over the whole test, not the timed window: a busy machine may answer little inside 300 ms.
        #expect(result.ceiling.load.answered > 0 && result.receiver.load.answered > 0)
        #expect(result.ceiling.load.successfulAnswers == result.ceiling.load.answered)
        #expect(result.receiver.load.successfulAnswers == result.receiver.load.answered, "every delivery is valid, so every answer is 2xx")
        #expect(result.ceiling.load.errors == 0 && result.receiver.load.errors == 0)
        #expect(result.committed == result.receiver.load.successfulAnswers, "a 200 means the webhook-id was committed")
        #expect(result.applied == min(300, result.committed), "the first visit of each row applies its verdict")
        #expect(result.applied + result.alreadyApplied == result.committed)
        let csv = ResultFiles.receiver(result)
        #expect(csv.rows.map { $0[0] } == ["ceiling", "receiver"])
    }
}
