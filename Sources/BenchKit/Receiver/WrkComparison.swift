import Foundation
import HelpDeskAPI

/// Runs `wrk` (one thread, the same connections and duration) against the ceiling route, to check that our load
/// generator is not what limits the ceiling it reports.
struct WrkComparison: Sendable {
    let connections: Int
    let duration: Duration

    /// - Returns: `wrk`'s requests per second, or `nil` when `wrk` is not installed.
    func run(port: Int, secret: WebhookSecret) async throws -> Double? {
        guard let wrk = ChildProcess.find("wrk") else { return nil }
        let body = #"{"agentId":"agent_1","documentId":"doc_0","documentStatus":"ACCEPTED"}"#
        let timestamp = Int64(Date().timeIntervalSince1970)
        let signature = WebhookSigner(secret: secret).signature(id: "msg_wrk", timestamp: timestamp, body: Data(body.utf8))
        let script = """
            wrk.method = "POST"
            wrk.body = '\(body)'
            wrk.headers["Content-Type"] = "application/json"
            wrk.headers["webhook-id"] = "msg_wrk"
            wrk.headers["webhook-timestamp"] = "\(timestamp)"
            wrk.headers["webhook-signature"] = "\(signature)"
            """
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("async-flows-wrk-\(UUID().uuidString).lua")
        try script.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let seconds = max(1, Int(duration.secondsValue.rounded()))
        let output = try await ChildProcess.run(
            wrk,
            arguments: ["-t1", "-c\(connections)", "-d\(seconds)s", "-s", file.path, "http://127.0.0.1:\(port)\(ReceiverBenchmark.ceilingPath)"]
        )
        let text = String(decoding: output, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }),
            let rate = Double(line.dropFirst("Requests/sec:".count).trimmingCharacters(in: .whitespaces))
        else {
            throw BenchError("wrk printed no request rate: \(text.prefix(300))")
        }
        return rate
    }
}
