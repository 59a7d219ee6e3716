import Foundation
import NIOPosix
import ServerSupport
import SimulationSupport
import Testing

@testable import BenchKit
@testable import Flows

/// Runs in virtual time, over real HTTP and SQLite: the strategies equal their models document by document where
/// the models are exact, and a run repeats itself byte for byte.
@Suite(.timeLimit(.minutes(5)))
struct VirtualTimeTests {
    /// A virtual workload of `documents` at 4 a model second (about 14 pending at once: every long-poll is held).
    static func scenario(documents: Int, network: Duration = .zero, strategies: [StrategySpec]) -> ScenarioSpec {
        var scenario = ScenarioSpec()
        scenario.clock = .virtual
        scenario.documents = documents
        scenario.arrivalRate = 4
        scenario.network = .fixed(network)
        scenario.strategies = strategies
        return scenario
    }

    static func run(_ scenario: ScenarioSpec) async throws -> [StrategyResult] {
        try await ComparisonRun(scenario: scenario, progress: ProgressLine(enabled: false), logger: .quiet).run(databaseDirectory: nil)
    }

    /// Each document's review delay, in seconds, as the seed draws it: the same draws the run's Help Desk made.
    static func reviews(_ scenario: ScenarioSpec) -> [Double] {
        (0..<UInt64(scenario.documents)).map { scenario.reviewDelay(ofSubmission: $0).secondsValue }
    }

    @Test func fixedPollingEqualsItsScheduleForEveryDocument() async throws {
        let (interval, delay) = (1.0, 0.025)
        let scenario = Self.scenario(documents: 150, network: .milliseconds(25), strategies: [.pollFixed(interval: .seconds(interval))])
        let result = try #require(try await Self.run(scenario).first)
        #expect(result.incomplete == nil)
        #expect(result.completed == 150)
        // Written out here, not taken from the model's code: the first poll leaves when the submission's answer is
        // back (2 delays after the Help Desk started the review), reaches it a delay later, one poll every interval,
        // and the answer comes back a delay after that.
        for (index, (review, outcome)) in zip(Self.reviews(scenario), result.perDocument).enumerated() {
            let polls = max(1, ((review - 2 * delay) / interval).rounded(.up))
            let latency = polls * interval + 3 * delay - review
            let measured = try #require(outcome.latency, "document \(index)").secondsValue
            #expect(abs(measured - latency) < 1e-6, "document \(index): review \(review) s, latency \(measured) s, expected \(latency) s")
            #expect(outcome.statusPolls == Int(polls), "document \(index): review \(review) s")
        }
        #expect(try #require(result.latencyDistanceOnDraws) < 0.01, "on the run's own draws the model is exact")
    }

    @Test func anUncappedLongPollAsksOnceAndOncePerHoldAndAWebhookTakesTheNetworkDelay() async throws {
        let hold = 2.0
        let scenario = Self.scenario(documents: 40, strategies: [.longPoll(wait: .seconds(hold)), .webhook])
        let results = try await Self.run(scenario)
        let (longPoll, webhook) = (results[0], results[1])
        for (index, (review, outcome)) in zip(Self.reviews(scenario), longPoll.perDocument).enumerated() {
            #expect(outcome.latency == .zero, "document \(index): answered at the decision")
            #expect(outcome.statusPolls == Int((review / hold).rounded(.up)), "document \(index): review \(review) s")
        }
        #expect(longPoll.requestsTotal == 40 + Self.reviews(scenario).reduce(0) { $0 + Int(($1 / hold).rounded(.up)) })
        #expect(webhook.perDocument.allSatisfy { $0.latency == .zero })

        var networked = Self.scenario(documents: 20, network: .milliseconds(40), strategies: [.webhook])
        networked.seed = 7
        let delayed = try #require(try await Self.run(networked).first)
        #expect(delayed.perDocument.allSatisfy { $0.latency == .milliseconds(40) }, "a webhook's latency is its network delay")
    }

    @Test func aRunRepeatsItselfByteForByteApartFromTheMachinesColumns() async throws {
        var scenario = Self.scenario(
            documents: 40,
            network: .milliseconds(10),
            strategies: [.webhook, .webhookThin, .pollFixed(interval: .seconds(1)), .pollBackoff(initial: .milliseconds(500), factor: 2, cap: .seconds(8)),
                         .longPoll(wait: .seconds(2)), .pollEvents(interval: .seconds(1)), .hybrid(sweep: .seconds(5), staleAfter: .seconds(10)), .sse]
        )
        scenario.faults.duplicateDeliveryRatio = 0.3
        scenario.faults.maxExtraDeliveryDelay = .seconds(2)
        try Self.expectTheSame(try await Self.run(scenario), try await Self.run(scenario))
    }

    /// A virtual run confined to the simulation's one thread (what `Bench` does) measures what the same run measures on
    /// Swift's pool, every strategy, byte for byte; and its work did run on that thread's event loop.
    @Test func aRunOnTheSimulationThreadRepeatsTheRunOnSwiftsPool() async throws {
        #expect(SimulationThread.install(), "the global executor's hook is free in the test process")
        var scenario = Self.scenario(
            documents: 30,
            network: .milliseconds(10),
            strategies: [.webhook, .webhookThin, .pollFixed(interval: .seconds(1)), .longPoll(wait: .seconds(2)), .pollEvents(interval: .seconds(1)),
                         .hybrid(sweep: .seconds(5), staleAfter: .seconds(10)), .sse]
        )
        scenario.faults.duplicateDeliveryRatio = 0.3
        let onPool = try await Self.run(scenario)
        let onLoop = LockedValue<[Bool]>([])
        let folder = try ComparisonRun.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let confined = try await SimulationThread.enabled {
            #expect(SimulationThread.confinesVirtualRuns)
            let runner = StrategyRunner(scenario: scenario, directory: folder)
            var results: [StrategyResult] = []
            for (index, strategy) in scenario.strategies.enumerated() {
                results.append(try await runner.run(strategy, index: index) { _ in
                    onLoop.withLock { $0.append(MultiThreadedEventLoopGroup.currentEventLoop != nil) }
                })
            }
            return results
        }
        try Self.expectTheSame(onPool, confined)
        #expect(!onLoop.value.isEmpty && onLoop.value.allSatisfy { $0 }, "the submitter's tasks ran on the simulation's event loop")
    }

    /// The hardest case: a rate limit and 503s make every poller pause until the same instant, so dozens of polls are
    /// due at once; the stepper hands them out one at a time, in their order, so which of them the limit refuses
    /// depends on the run alone.
    @Test func pollsDueAtOneInstantUnderARateLimitRepeatThemselves() async throws {
        let fault = try #require(FaultScenario.all.first { $0.name == "status-503-5pct" })
        let base = FaultScenario.baseWorkload.inVirtualTime()
        let run = { try await FaultRun(base: base, faults: [fault], progress: ProgressLine(enabled: false), logger: .quiet).run() }
        let first = try await run()
        #expect(first.contains { $0.statusRequests > $0.documents * 2 }, "the pollers were paused and asked again")
        try Self.expectTheSame(first, try await run())
    }

    /// Two runs' `summary.csv` and `latency.csv` are the same but for the columns that measure the machine.
    /// - Parameter other: Further columns left out.
    static func expectTheSame(_ first: [StrategyResult], _ second: [StrategyResult], except other: Set<String> = [], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let machine = other.union([
            "db_time_ms", "cpu_user_s", "cpu_sys_s", "wall_s", "cpu_ms_per_doc", "peak_rss_mb", "latency_p50_wall_ms", "latency_p99_wall_ms",
            "events_per_wall_s", "wall_s_per_model_day",
        ])
        let (a, b) = (ResultFiles.summary(first), ResultFiles.summary(second))
        #expect(a.rows.count == b.rows.count, sourceLocation: sourceLocation)
        for (rowA, rowB) in zip(a.rows, b.rows) {
            for (column, (valueA, valueB)) in zip(a.columns, zip(rowA, rowB)) where !machine.contains(column) {
                #expect(valueA == valueB, "\(rowA[1]) \(column): \(valueA) then \(valueB)", sourceLocation: sourceLocation)
            }
        }
        #expect(ResultFiles.latency(first).text == ResultFiles.latency(second).text, sourceLocation: sourceLocation)
        #expect(first.allSatisfy { $0.incomplete == nil && $0.lost == 0 }, sourceLocation: sourceLocation)
    }

    @Test func aRunThatCannotFinishStopsAndSaysWhatWasInHand() async throws {
        var scenario = Self.scenario(documents: 5, strategies: [.webhook, .pollFixed(interval: .seconds(1))])
        scenario.receiverFaults.hangs = true
        // Long enough for the run to start on a machine busy with the other tests (a clean-clone CI run once spent
        // 5 s of wall time resuming the app's submissions), short enough for a test.
        scenario.watchdog = .seconds(15)
        var comparison = ComparisonRun(scenario: scenario, progress: ProgressLine(enabled: false), logger: .quiet)
        comparison.concurrency = 1
        let results = try await comparison.run(databaseDirectory: nil)
        #expect(results.map(\.strategy) == [.webhook], "the comparison stopped at the run that stalled")
        let webhook = try #require(results.first)
        let incomplete = try #require(webhook.incomplete, "marked incomplete")
        #expect(incomplete.contains("stayed busy"), "\(incomplete)")
        #expect(incomplete.contains("POST webhook msg_"), "the delivery at the receiver is named: \(incomplete)")
        #expect(webhook.completed < 5, "its figures are partial")
        #expect(ResultFiles.summary(results).rows[0].last(where: { $0.contains("stayed busy") }) != nil, "summary.csv says so")
    }
}
