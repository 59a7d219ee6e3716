import Foundation
import HelpDeskAPI
import SimulationSupport

/// One phase of load: where it goes, how many signed deliveries to encode, how hard and how long to drive them.
/// `Bench receiver` runs it in this process (tests) or hands it to `Bench receiver-load` in a child process, which
/// parses the same ``arguments`` back into a plan; either way ``run(secret:)`` does the work.
public struct LoadPlan: Sendable, Hashable {
    public var host = "127.0.0.1"
    public var port: Int
    public var path: String
    /// Pending rows the deliveries visit, `doc_0` to `doc_<rows - 1>`.
    public var rows: Int
    /// Deliveries encoded before the clock starts.
    public var requests: Int
    public var connections: Int
    public var duration: Duration
    public var warmup: Duration
    public var seed: UInt64
    /// Never send a delivery twice: the run ends when they run out.
    public var unique: Bool

    public init(
        host: String = "127.0.0.1", port: Int, path: String, rows: Int, requests: Int, connections: Int,
        duration: Duration, warmup: Duration, seed: UInt64, unique: Bool
    ) {
        self.host = host
        self.port = port
        self.path = path
        self.rows = rows
        self.requests = requests
        self.connections = connections
        self.duration = duration
        self.warmup = warmup
        self.seed = seed
        self.unique = unique
    }

    /// The options of `Bench receiver-load` that carry this plan (the secret goes in ``LoadGenerator/secretVariable``).
    public var arguments: [String] {
        [
            "receiver-load", "--host", host, "--port", String(port), "--path", path, "--rows", String(rows),
            "--requests", String(requests), "--connections", String(connections), "--duration", duration.compactDescription,
            "--warmup", warmup.compactDescription, "--seed", String(seed),
        ] + (unique ? ["--unique"] : [])
    }

    /// Encodes the deliveries, signed with `secret`, and drives them.
    public func run(secret: WebhookSecret) async throws -> LoadReport {
        let encoded = PreEncodedRequests.deliveries(
            count: requests, rows: rows, path: path, host: "\(host):\(port)", secret: secret, seed: seed,
            timestamp: Int64(Date().timeIntervalSince1970)
        )
        return try await LoadGenerator.run(
            host: host, port: port, requests: encoded, mayRepeat: !unique, connections: connections, warmup: warmup, duration: duration
        )
    }
}
