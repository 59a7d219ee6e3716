import Flows
import Foundation
import Logging
import MockHelpDesk
import ServerSupport
import SimulationSupport

/// Our Help Desk client on each transport against one Help Desk: closed-loop status requests at each concurrency,
/// then a short `poll-fixed:1s` comparison run per transport for the latency it adds to a real strategy.
public struct TransportBenchmark: Sendable {
    public var transports = HelpDeskTransportKind.allCases
    public var concurrencies = [1, 32]
    /// Measured time of each load phase.
    public var duration: Duration = .seconds(3)
    /// Unmeasured time before each phase's measurement.
    public var warmup: Duration = .milliseconds(500)
    /// Documents of each transport's `poll-fixed:1s` run (none: no run).
    public var pollDocuments = 300

    public init() {}

    public func run(logger: Logger, progress: @escaping @Sendable (String) -> Void) async throws -> [TransportResult] {
        var results: [TransportResult] = []
        var first: TransportResult.PollFixed?
        for transport in transports {
            var poll = try await pollRun(transport, logger: logger, progress: progress)
            // The review delays are seeded by submission, the same in every run: the means differ by what the
            // transports add to each notification, not by the sample.
            if let run = poll {
                let reference = first ?? run
                first = reference
                poll?.extraWallMilliseconds = (run.latencyMeanMilliseconds - reference.latencyMeanMilliseconds) * run.timeScale
            }
            for concurrency in concurrencies {
                progress("transport \(transport) at concurrency \(concurrency)")
                var result = try await load(transport, concurrency: concurrency, logger: logger)
                result.pollFixed = poll
                results.append(result)
            }
        }
        return results
    }

    /// Closed-loop `GET /document/{id}` of one decided document, `concurrency` requests in flight.
    private func load(_ transport: HelpDeskTransportKind, concurrency: Int, logger: Logger) async throws -> TransportResult {
        var configuration = HelpDeskConfiguration()
        configuration.reviewDelay = .uniform(.zero ... .zero)
        let clock = SimulationClock(base: ContinuousClock())
        let desk = try MockHelpDesk(configuration: configuration, secret: .generate(), clock: clock, logger: logger)
        return try await withRunningApplication({ desk.makeApplication(port: 0, onServerRunning: $0) }, logger: logger) { port in
            let client = HelpDeskClient(baseURL: "http://127.0.0.1:\(port)", clock: clock, maxConnections: concurrency, transport: transport)
            do {
                let result = try await drive(client, concurrency: concurrency)
                try await client.shutdown()
                return result
            } catch {
                try await client.shutdown()
                throw error
            }
        }
    }

    private func drive(_ client: HelpDeskClient, concurrency: Int) async throws -> TransportResult {
        let document = try await client.submit(documentUrl: "https://example.com/transport.pdf", callback: nil, idempotencyKey: "transport").documentId
        // The warm-up starts once the transport has answered a status request: its first connection's setup (slow
        // for URLSession on a busy machine) is never what a phase measures.
        _ = try? await client.document(document)
        let start = ContinuousClock.now
        let measureFrom = start.advanced(by: warmup)
        let end = measureFrom.advanced(by: duration)
        let cpuStart = CPUTime.now
        let workers = await withTaskGroup(of: Worker.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var worker = Worker()
                    while ContinuousClock.now < end {
                        let sent = ContinuousClock.now
                        var failed = false
                        do {
                            if case .retryLater = try await client.document(document) { failed = true }
                        } catch {
                            failed = true
                        }
                        worker.all += 1
                        guard sent >= measureFrom else { continue }
                        if failed { worker.errors += 1 } else { worker.latencies.append(sent.duration(to: .now)) }
                    }
                    return worker
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let cpu = CPUTime.now - cpuStart
        let all = workers.reduce(0) { $0 + $1.all }
        let latencies = workers.flatMap(\.latencies)
        return TransportResult(
            transport: client.transportKind,
            concurrency: concurrency,
            requests: latencies.count,
            errors: workers.reduce(0) { $0 + $1.errors },
            seconds: duration.secondsValue,
            latency: LatencySummary(latencies),
            cpuMicrosecondsPerRequest: (cpu.user + cpu.system) * 1_000_000 / Double(max(all, 1))
        )
    }

    private struct Worker: Sendable {
        var all = 0
        var errors = 0
        var latencies: [Duration] = []
    }

    /// `poll-fixed:1s` on `pollDocuments` documents with this transport, at the comparison's time scale.
    private func pollRun(_ transport: HelpDeskTransportKind, logger: Logger, progress: @escaping @Sendable (String) -> Void) async throws -> TransportResult.PollFixed? {
        guard pollDocuments > 0 else { return nil }
        progress("transport \(transport): poll-fixed:1s on \(pollDocuments) documents")
        var scenario = ScenarioSpec()
        scenario.name = "transport"
        scenario.documents = pollDocuments
        scenario.strategies = [.pollFixed(interval: .seconds(1))]
        scenario.transport = transport
        let results = try await ComparisonRun(scenario: scenario, progress: ProgressLine(enabled: false), logger: logger).run(databaseDirectory: nil)
        guard let result = results.first else { return nil }
        return TransportResult.PollFixed(
            completed: result.completed,
            documents: result.documents,
            latencyMeanMilliseconds: result.latency.meanMilliseconds,
            modelMeanMilliseconds: result.model.latencyMeanMilliseconds,
            timeScale: scenario.timeScale
        )
    }
}

/// One transport at one concurrency.
public struct TransportResult: Sendable {
    /// The transport's `poll-fixed:1s` run: its mean latency against the model's, model milliseconds.
    public struct PollFixed: Sendable {
        public var completed: Int
        public var documents: Int
        public var latencyMeanMilliseconds: Double
        public var modelMeanMilliseconds: Double
        public var timeScale: Double
        /// Its mean over the first transport's run, wall milliseconds: what this transport adds to each
        /// notification (the first transport's is 0).
        public var extraWallMilliseconds: Double?
    }

    public var transport: HelpDeskTransportKind
    public var concurrency: Int
    /// Answered requests in the measured window, and those that failed.
    public var requests: Int
    public var errors: Int
    public var seconds: Double
    public var latency: LatencySummary
    /// The whole process's CPU per request (the Help Desk's side, the same for both transports, included).
    public var cpuMicrosecondsPerRequest: Double
    public var pollFixed: PollFixed?

    public var requestsPerSecond: Double { Double(requests) / max(seconds, 1e-9) }
}
