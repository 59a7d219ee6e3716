import Flows
import Logging
import ServerSupport
import Testing

@testable import BenchKit

/// `Bench transport` end to end, briefly: both transports answer every request and complete their poll-fixed run.
@Suite(.timeLimit(.minutes(2)))
struct TransportBenchmarkTests {
    @Test func eachTransportIsMeasuredAtEachConcurrencyAndCompletesItsPollingRun() async throws {
        var benchmark = TransportBenchmark()
        benchmark.concurrencies = [1, 4]
        benchmark.duration = .milliseconds(300)
        benchmark.warmup = .milliseconds(100)
        benchmark.pollDocuments = 20
        let results = try await benchmark.run(logger: .quiet) { _ in }
        #expect(results.map(\.transport) == [.asyncHTTPClient, .asyncHTTPClient, .urlSession, .urlSession])
        #expect(results.map(\.concurrency) == [1, 4, 1, 4])
        for result in results {
            #expect(result.requests > 0, "\(result.transport) at \(result.concurrency): no request answered")
            #expect(result.errors == 0, "\(result.transport) at \(result.concurrency)")
            #expect(result.latency.count == result.requests)
            #expect(result.cpuMicrosecondsPerRequest > 0)
            let poll = try #require(result.pollFixed)
            #expect(poll.completed == 20, "\(result.transport): poll-fixed:1s completed \(poll.completed) of 20")
            #expect(poll.modelMeanMilliseconds > 0)
            let extra = try #require(poll.extraWallMilliseconds)
            if result.transport == .asyncHTTPClient { #expect(extra == 0, "the first transport is the reference") }
        }
        let table = ResultFiles.transport(results)
        #expect(table.records.count == 4)
        #expect(table.records.allSatisfy { $0["poll_fixed_completed"] == "20/20" })
    }
}
