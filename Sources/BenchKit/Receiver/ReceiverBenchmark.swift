import Flows
import Foundation
import GRDB
import HelpDeskAPI
import Hummingbird
import Logging
import ServerSupport
import SimulationSupport

/// One phase of the receiver load test: the load generator's report and what the server spent on it.
public struct ReceiverPhase: Sendable, Hashable {
    /// `ceiling` (the route that does no work) or `receiver` (`POST /document/update`).
    public var name: String
    public var load: LoadReport
    /// CPU time of the server's process over the phase, warm-up included.
    public var serverCPU: CPUTime
    public var residentBytes: UInt64?
    public var peakResidentBytes: UInt64?

    /// Answers the server gave over the phase, warm-up and last in-flight requests included.
    public var answered: Int { load.answered }

    /// Server CPU per answered request, microseconds.
    public var serverCPUMicrosecondsPerRequest: Double {
        answered > 0 ? (serverCPU.user + serverCPU.system) * 1e6 / Double(answered) : 0
    }

    /// Load generator CPU per answered request, microseconds.
    public var loadCPUMicrosecondsPerRequest: Double {
        answered > 0 ? (load.cpuUserSeconds + load.cpuSystemSeconds) * 1e6 / Double(answered) : 0
    }
}

/// The receiver load test's result: both phases, and what the receiver's database holds afterwards.
public struct ReceiverResult: Sendable, Hashable {
    public var rows: Int
    public var connections: Int
    public var ceiling: ReceiverPhase
    public var receiver: ReceiverPhase
    /// `webhook-id`s recorded in the database: one per delivery answered 2xx.
    public var committed: Int
    /// Rows that took their verdict, and deliveries that found it already there.
    public var applied: Int
    public var alreadyApplied: Int
    /// Transactions that committed the receiver's writes, over the whole test.
    public var commits: Int
    /// `wrk`'s rate on the ceiling route with the same connections, when asked for and installed.
    public var wrkRequestsPerSecond: Double?
    /// Wall time of one signature verification, measured in this process before the load (``SignatureTiming``).
    public var signatureMicroseconds: Double

    /// The receiver's rate over the ceiling's, measured in the same run.
    public var ratio: Double {
        ceiling.load.requestsPerSecond > 0 ? receiver.load.requestsPerSecond / ceiling.load.requestsPerSecond : 0
    }
}

/// `Bench receiver`: our app's server over a store of `rows` pending reviews, driven closed-loop over real HTTP first
/// on a route that does no work (the server's ceiling), then on the webhook receiver with validly signed, unique
/// deliveries.
///
/// The load generator is a child process (``LoadGenerator`` behind `Bench receiver-load`), so the server's CPU and
/// memory are its own. After the receiver phase every delivery answered 2xx must have its `webhook-id` committed.
public struct ReceiverBenchmark: Sendable {
    /// The route that does no work (see ``CeilingController``).
    public static let ceilingPath = "/_bench/ceiling"

    public var rows = 100_000
    public var connections = 32
    public var duration: Duration = .seconds(10)
    public var warmup: Duration = .seconds(1)
    public var seed: UInt64 = 42
    /// Also run `wrk` against the ceiling route, to check the load generator against it.
    public var compareWithWrk = false

    /// Where the load generator runs.
    public enum LoadDriver: Sendable {
        /// `executable receiver-load ...`: its own process, so the server's CPU and memory are the server's alone.
        case childProcess(executable: URL)
        /// On its own event loop in this process (for tests: CPU and memory figures then include the generator).
        case inProcess
    }

    public init() {}

    /// The load test of the default suite and the CI profile: the default 100,000 rows (enough that nearly every
    /// delivery applies a verdict), 2 s per phase after 0.5 s of warm-up.
    public static var short: ReceiverBenchmark {
        var benchmark = ReceiverBenchmark()
        benchmark.duration = .seconds(2)
        benchmark.warmup = .milliseconds(500)
        return benchmark
    }

    /// - Parameters:
    ///   - driver: Where the load generator runs.
    ///   - directory: Where the database file goes.
    public func run(
        driver: LoadDriver,
        in directory: URL,
        logger: Logger,
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> ReceiverResult {
        let path = directory.appendingPathComponent("receiver-\(rows).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        progress("receiver: timing signature verification")
        let signatureMicroseconds = try SignatureTiming.microsecondsPerVerification()
        progress("receiver: loading \(rows) pending rows")
        let store = try SQLiteReviewStore(path: path)
        try await PendingRows.load(rows, into: store)
        let secret = WebhookSecret.generate()
        let app = ReviewApp(
            configuration: ReviewAppConfiguration(helpDeskURL: "http://127.0.0.1:9", strategy: .webhook, webhookSecrets: [secret]),
            store: store,
            clock: SimulationClock(base: ContinuousClock()),
            logger: logger
        )
        let (ceiling, receiver, wrk) = try await withRunningApplication({ onRunning in
            app.makeApplication(port: 0, onServerRunning: onRunning, routes: { CeilingController().addRoutes(to: $0) })
        }, logger: logger) { port in
            progress("receiver: driving the ceiling route")
            let ceiling = try await phase("ceiling", path: ReceiverBenchmark.ceilingPath, port: port, requests: 20_000,
                                          unique: false, driver: driver, secret: secret)
            let wrk = compareWithWrk ? try await WrkComparison(connections: connections, duration: duration).run(port: port, secret: secret) : nil
            // Enough unique deliveries for the receiver to run at half again the ceiling's rate.
            let needed = Int(ceiling.load.requestsPerSecond * 1.5 * (duration + warmup).secondsValue) + 10_000
            progress("receiver: driving POST \(Flows.receiverPath) with \(needed) pre-encoded deliveries")
            let receiver = try await phase("receiver", path: Flows.receiverPath, port: port, requests: needed,
                                           unique: true, driver: driver, secret: secret)
            return (ceiling, receiver, wrk)
        }
        let (committed, decided) = try await store.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM received_webhooks") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM document_reviews WHERE document_status <> 'PENDING_REVIEW'") ?? 0)
        }
        let ledger = app.ledger.snapshot
        guard committed == receiver.load.successfulAnswers else {
            throw BenchError("the receiver answered \(receiver.load.successfulAnswers) deliveries 2xx but committed \(committed)")
        }
        guard decided == ledger.applied, ledger.duplicatesSuppressed == 0, ledger.conflicts == 0 else {
            throw BenchError("the receiver applied \(ledger.applied) verdicts to \(decided) rows, with \(ledger.duplicatesSuppressed) duplicates and \(ledger.conflicts) conflicts")
        }
        return ReceiverResult(
            rows: rows,
            connections: connections,
            ceiling: ceiling,
            receiver: receiver,
            committed: committed,
            applied: ledger.applied,
            alreadyApplied: ledger.alreadyApplied,
            commits: store.groupCommitStatistics.batches,
            wrkRequestsPerSecond: wrk,
            signatureMicroseconds: signatureMicroseconds
        )
    }

    /// Runs the load generator's process against `path` and measures the server meanwhile.
    private func phase(
        _ name: String,
        path: String,
        port: Int,
        requests: Int,
        unique: Bool,
        driver: LoadDriver,
        secret: WebhookSecret
    ) async throws -> ReceiverPhase {
        ProcessMemory.resetPeak()
        let cpuStart = CPUTime.now
        let plan = LoadPlan(
            port: port, path: path, rows: rows, requests: requests, connections: connections, duration: duration, warmup: warmup,
            seed: seed, unique: unique
        )
        let load: LoadReport
        switch driver {
        case .childProcess(let executable):
            let output = try await ChildProcess.run(executable, arguments: plan.arguments, environment: [LoadGenerator.secretVariable: secret.encoded])
            do {
                load = try JSONDecoder().decode(LoadReport.self, from: output)
            } catch {
                throw BenchError("the load generator's report could not be read: \(String(decoding: output.prefix(300), as: UTF8.self))")
            }
        case .inProcess:
            load = try await plan.run(secret: secret)
        }
        let cpu = CPUTime.now - cpuStart
        if load.exhausted, unique { throw BenchError("the load generator ran out of its \(requests) unique deliveries; the receiver outran its ceiling") }
        return ReceiverPhase(
            name: name,
            load: load,
            serverCPU: cpu,
            residentBytes: ProcessMemory.residentBytes,
            peakResidentBytes: ProcessMemory.peakResidentBytes
        )
    }
}
