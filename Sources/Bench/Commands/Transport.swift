import ArgumentParser
import BenchKit
import Flows
import Foundation

/// `Bench transport`: our Help Desk client on AsyncHTTPClient and on URLSession, side by side.
struct Transport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure our Help Desk client on each transport (AsyncHTTPClient, URLSession on libcurl) against one Help Desk.",
        discussion: """
            For each transport: a poll-fixed:1s comparison run of --poll-documents documents (its mean latency against \
            the model's, and what that adds in wall time), then closed-loop GET /document/{id} at each --concurrency \
            for --duration after --warmup (requests per second, latency p50/p99, the process's CPU per request). \
            Writes transport.csv and run.json.
            """
    )

    @Option(help: "Comma-separated numbers of requests in flight.")
    var concurrency = "1,32"

    @Option(help: "Measured time of each load phase.", transform: DurationArgument.parse)
    var duration = DurationArgument(.seconds(3))

    @Option(help: "Unmeasured time before each load phase's measurement.", transform: DurationArgument.parse)
    var warmup = DurationArgument(.milliseconds(500))

    @Option(parsing: .unconditional, help: "Documents of each transport's poll-fixed:1s run (0: none).")
    var pollDocuments = 300

    @OptionGroup var wallClock: WallClockOnly

    @OptionGroup var output: OutputOptions

    func validate() throws {
        _ = try concurrencies()
        try validateLoadPhase(duration: duration, warmup: warmup)
        guard (0...100_000).contains(pollDocuments) else { throw ValidationError("--poll-documents must be from 0 to 100000") }
    }

    private func concurrencies() throws -> [Int] {
        guard let values = integerList(concurrency, in: 1...1024) else {
            throw ValidationError("--concurrency must be a comma-separated list of numbers from 1 to 1024, such as 1,32")
        }
        return values
    }

    func run() async throws {
        let startedAt = Date()
        var benchmark = TransportBenchmark()
        benchmark.concurrencies = try concurrencies()
        benchmark.duration = duration.duration
        benchmark.warmup = warmup.duration
        benchmark.pollDocuments = pollDocuments
        let progress = ProgressLine()
        let results = try await benchmark.run(logger: benchLogger()) { progress.update($0) }
        progress.finish("transports measured")
        Terminal.show(SummaryTable.transport(results))
        try output.write(
            results: [],
            dbCost: [],
            transport: results,
            command: "Bench transport",
            seed: 42,
            timeScale: 1,
            parameters: [
                "concurrency": benchmark.concurrencies.map(String.init).joined(separator: ","),
                "duration_s": String(benchmark.duration.secondsValue),
                "warmup_s": String(benchmark.warmup.secondsValue),
                "poll_documents": String(benchmark.pollDocuments),
            ],
            startedAt: startedAt
        )
    }
}
