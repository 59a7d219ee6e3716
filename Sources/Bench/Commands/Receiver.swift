import ArgumentParser
import BenchKit
import Foundation
import Logging

/// `Bench receiver`: the webhook receiver's rate against its own server's ceiling.
struct Receiver: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load-test the webhook receiver over real HTTP and compare it with the same server's ceiling.",
        discussion: """
            Starts our app's server over a fresh SQLite store of --rows pending reviews, then drives it closed-loop with \
            --connections keep-alive connections from a SwiftNIO load generator in a child process: first a route that \
            does no work (the ceiling), then POST /document/update with validly signed, unique deliveries. Each phase \
            runs --warmup, then is measured for --duration. Writes receiver.csv and run.json.
            """
    )

    @Option(help: "Pending rows in document_reviews.")
    var rows = 100_000

    @Option(parsing: .unconditional, help: "Keep-alive connections of the load generator.")
    var connections = 32

    @Option(help: "Measured time of each phase.", transform: DurationArgument.parse)
    var duration = DurationArgument(.seconds(10))

    @Option(help: "Unmeasured time before each phase's measurement.", transform: DurationArgument.parse)
    var warmup = DurationArgument(.seconds(1))

    @Option(parsing: .unconditional, help: "Seed of the deliveries' order and verdicts.")
    var seed: UInt64 = 42

    @Flag(help: "Also drive the ceiling route with wrk (if installed), to check the load generator against it.")
    var wrk = false

    @OptionGroup var wallClock: WallClockOnly

    @OptionGroup var executor: ExecutorOptions

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (1...10_000_000).contains(rows) else { throw ValidationError("--rows must be from 1 to 10000000") }
        guard (1...4096).contains(connections) else { throw ValidationError("--connections must be from 1 to 4096") }
        try validateLoadPhase(duration: duration, warmup: warmup)
    }

    var benchmark: ReceiverBenchmark {
        var benchmark = ReceiverBenchmark()
        benchmark.rows = rows
        benchmark.connections = connections
        benchmark.duration = duration.duration
        benchmark.warmup = warmup.duration
        benchmark.seed = seed
        benchmark.compareWithWrk = wrk
        return benchmark
    }

    func run() async throws {
        let startedAt = Date()
        let result = try await Self.measure(benchmark, progress: ProgressLine(), logger: benchLogger())
        Terminal.show(SummaryTable.receiver(result))
        try output.write(
            results: [],
            dbCost: [],
            receiver: result,
            command: "Bench receiver",
            seed: seed,
            timeScale: 1,
            parameters: Self.describe(benchmark).merging(["executor": executor.executor.rawValue]) { $1 },
            startedAt: startedAt
        )
    }

    static func measure(_ benchmark: ReceiverBenchmark, progress: ProgressLine, logger: Logger) async throws -> ReceiverResult {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("async-flows-receiver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try await benchmark.run(driver: .childProcess(executable: currentExecutable()), in: folder, logger: logger) { progress.update($0) }
        progress.finish(String(format: "receiver: %.0f req/s, %.0f%% of the ceiling's %.0f", result.receiver.load.requestsPerSecond,
                               result.ratio * 100, result.ceiling.load.requestsPerSecond))
        return result
    }

    static func describe(_ benchmark: ReceiverBenchmark) -> [String: String] {
        [
            "receiver_rows": String(benchmark.rows),
            "receiver_connections": String(benchmark.connections),
            "receiver_duration": benchmark.duration.compactDescription,
            "receiver_warmup": benchmark.warmup.compactDescription,
        ]
    }

    /// This program's own file, to run it again as the load generator.
    static func currentExecutable() -> URL {
        let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: link)
    }
}

/// `Bench receiver-load`: the load generator of `Bench receiver`, run by it as a child process.
struct ReceiverLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receiver-load",
        abstract: "The load generator Bench receiver runs in its own process; prints its report as JSON.",
        shouldDisplay: false
    )

    @Option var host = "127.0.0.1"
    @Option var port: Int
    @Option var path: String
    @Option var rows: Int
    @Option var requests: Int
    @Option var connections: Int
    @Option var duration: DurationArgument
    @Option var warmup: DurationArgument
    @Option var seed: UInt64 = 42

    @Flag(help: "Never send a request twice: end the run when the requests run out.")
    var unique = false

    func validate() throws {
        guard rows > 0, requests > 0, connections > 0 else { throw ValidationError("--rows, --requests and --connections must be positive") }
        guard ProcessInfo.processInfo.environment[LoadGenerator.secretVariable] != nil else {
            throw ValidationError("the webhook secret must be given in \(LoadGenerator.secretVariable)")
        }
    }

    func run() async throws {
        guard let secret = try webhookSecret(flag: nil, environment: LoadGenerator.secretVariable) else { throw ExitCode(64) }
        let plan = LoadPlan(
            host: host, port: port, path: path, rows: rows, requests: requests, connections: connections, duration: duration.duration,
            warmup: warmup.duration, seed: seed, unique: unique
        )
        let report = try await plan.run(secret: secret)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        FileHandle.standardOutput.write(try encoder.encode(report))
    }
}
