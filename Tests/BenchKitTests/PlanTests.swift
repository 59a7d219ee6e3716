import Foundation
import MockHelpDesk
import Testing

@testable import BenchKit
@testable import Flows
@testable import SimulationSupport

/// `Bench plan`: the analytic model at the user's volume, its search for the cheapest interval, and its agreement
/// with what a run measures.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct PlanTests {
    private static let userDelay = DelayDistribution.uniform(.seconds(300) ... .seconds(14_400))

    /// Every candidate's model, computed once: the search and the scan are checked on the same figures.
    private func models(_ family: PollingFamily, _ candidates: [Duration], on workload: ModelWorkload) -> [Duration: StrategyModel] {
        Dictionary(uniqueKeysWithValues: candidates.map { ($0, family.strategy($0).model(workload)) })
    }

    /// Every candidate considered, the cheapest meeting the target kept: fewest requests, then lowest p99, then the
    /// shortest parameter.
    private func bruteForce(target: Duration, models: [Duration: StrategyModel]) -> Duration? {
        var best: (parameter: Duration, requests: Double, p99: Double)?
        for (parameter, model) in models {
            let (requests, p99) = (model.requestsPerDocument, model.latency.quantile(0.99))
            guard p99 <= target.secondsValue else { continue }
            guard let chosen = best else {
                best = (parameter, requests, p99)
                continue
            }
            let sameCost = IntervalSearch.sameCost(requests, chosen.requests)
            if (!sameCost && requests < chosen.requests) || (sameCost && (p99 < chosen.p99 || (p99 == chosen.p99 && parameter < chosen.parameter))) {
                best = (parameter, requests, p99)
            }
        }
        return best?.parameter
    }

    private func checkSearch(_ family: PollingFamily, candidates: [Duration], targets: [Duration], on workload: ModelWorkload) {
        let models = models(family, candidates, on: workload)
        var found = 0
        for target in targets {
            let searched = IntervalSearch.cheapest(family, meeting: target, on: workload, candidates: candidates) { models[$0]! }
            #expect(searched?.parameter == bruteForce(target: target, models: models), "\(family.rawValue) at p99 ≤ \(target.compactDescription)")
            if let searched {
                found += 1
                #expect(searched.model.latency.quantile(0.99) <= target.secondsValue)
            }
        }
        #expect(found >= 2, "\(family.rawValue): the targets include some that are met")
    }

    @Test(arguments: [PollingFamily.fixed, .conditional, .longPoll, .events])
    func theCheapestIntervalSearchAgreesWithABruteForceScan(family: PollingFamily) throws {
        var input = PlanInput(documentsPerDay: 20_000, reviewDelay: Self.userDelay, strategies: [.webhook])
        input.seed = 3
        // The search's logic on the open models: a slot for every long-poll.
        input.maxInFlight = 1_000_000
        #expect(family.candidates.count > 100)
        checkSearch(family, candidates: family.candidates, targets: [.milliseconds(50), .seconds(5), .seconds(60), .seconds(3600), .seconds(20_000)], on: input.workload)
    }

    @Test func theBackoffSearchAgreesWithABruteForceScan() throws {
        // Backoff's model simulates its jittered schedule at every delay of the grid: the scan walks its candidates
        // up to 10 s on the suite's own review delays.
        let input = PlanInput(documentsPerDay: 5_000, reviewDelay: .uniform(.seconds(2) ... .seconds(5)), strategies: [.webhook])
        let candidates = PollingFamily.backoff.candidates.filter { $0 <= .seconds(10) }
        checkSearch(.backoff, candidates: candidates, targets: [.milliseconds(400), .seconds(1), .seconds(2), .seconds(8)], on: input.workload)
    }

    @Test func aTargetNoMemberMeetsFindsNothing() {
        let input = PlanInput(documentsPerDay: 1_000, reviewDelay: Self.userDelay, strategies: [.webhook])
        // A poll can be no sooner than its request: 1 ms is below the shortest candidate's p99.
        #expect(IntervalSearch.cheapest(.fixed, meeting: .milliseconds(1), on: input.workload) == nil)
    }

    @Test func thePlanCountsADayAtTheUsersVolume() throws {
        var input = PlanInput(documentsPerDay: 10_000, reviewDelay: Self.userDelay, strategies: [.webhook, .pollFixed(interval: .seconds(1)), .pollFixed(interval: .seconds(60)), .longPoll(wait: .seconds(30))])
        input.rateLimit = .window(1200, per: .seconds(60))
        // A client with a slot for every long-poll: the queue for fewer slots has a test of its own.
        input.maxInFlight = 100_000
        input.targetP99 = .seconds(60)
        input.families = [.fixed, .longPoll]
        let plan = Plan(input)

        let webhook = try #require(plan.rows.first { $0.role == .compared && $0.strategy == .webhook })
        #expect(webhook.requestsPerDay == 20_000, "a submission and a delivery per document")
        #expect(webhook.wastedRequestsPerDay == 0)
        #expect(webhook.peakReadsPerSecond == 0, "webhooks read nothing from the vendor's API")
        #expect(webhook.throttled == false)

        let second = try #require(plan.rows.first { $0.role == .compared && $0.strategy == .pollFixed(interval: .seconds(1)) })
        // ⌈D / 1 s⌉ polls for D uniform on 300...14,400 s: about 7,350.5 a document, plus its submission.
        #expect(abs(second.requestsPerDay / 10_000 - 7_351.5) < 1)
        #expect(abs(second.wastedRequestsPerDay / 10_000 - 7_349.5) < 1)
        #expect(abs(second.latencyMean - 0.5) < 0.01)
        #expect(abs(second.peakReadsPerSecond - 7_350.5 * 10_000 / 86_400) < 1)
        #expect(second.throttled == true)
        #expect(second.writesPerDay == 30_000, "the intent and the row at submission, the verdict once")
        #expect(second.meetsTarget == true)

        let minute = try #require(plan.rows.first { $0.role == .compared && $0.strategy == .pollFixed(interval: .seconds(60)) })
        #expect(minute.throttled == false)
        #expect(abs(minute.latencyMean - 30) < 0.5)
        #expect(minute.heldRequests == 0)

        // Little's law: 10,000 a day pending 7,350 s on average hold about 851 long-polls open at once.
        let longPoll = try #require(plan.rows.first { $0.role == .compared && $0.strategy == .longPoll(wait: .seconds(30)) })
        #expect(abs(longPoll.heldRequests - 10_000 * 7_350 / 86_400) < 1)
        #expect(!longPoll.needsMoreSlots)

        // 20 reads a second allow a fixed poll of ⌈D/I⌉ a document, 10,000 a day, from about 7,350.5 / I × 10,000 /
        // 86,400 ≤ 20, I ≥ 42.5 s: the shortest allowed candidate, and the one before it throttled.
        let fixedShortest = try #require(plan.shortestAllowed.first { $0.family == .fixed }?.parameter)
        #expect((42.5...44.0).contains(fixedShortest.secondsValue), "\(fixedShortest)")
        let candidates = PollingFamily.fixed.candidates
        let index = try #require(candidates.firstIndex(of: fixedShortest))
        let rowAt = { (parameter: Duration) in
            PlanRow(strategy: .pollFixed(interval: parameter), role: .curve, model: PollFixed(interval: parameter).model(input.workload), input: input, meanDelay: 7_350)
        }
        #expect(rowAt(fixedShortest).throttled == false)
        #expect(rowAt(candidates[index - 1]).throttled == true)
        #expect(SummaryTable.plan(plan).contains("The vendor's limit at this volume (busiest hour) forbids:\n  poll-fixed: every interval below \(fixedShortest.compactDescription)"))
        input.maxInFlight = 32
        input.families = []
        input.targetP99 = nil
        #expect(SummaryTable.plan(Plan(input)).contains("long-poll:30s needs about 851 requests in flight at once in the busiest hour, more than the 32 our app allows"))

        // The cheapest fixed interval meeting p99 ≤ 60 s is 60 s itself (p99 59.4 s); a long-poll of the Help Desk's
        // longest wait tells at once.
        let fixed = try #require(plan.searches.first { $0.family == .fixed }?.choice)
        #expect(fixed.parameter == .seconds(60))
        let longest = try #require(plan.searches.first { $0.family == .longPoll }?.choice)
        #expect(longest.parameter == .seconds(300))
        #expect(plan.rows.filter { $0.role == .cheapest }.count == 2)
        #expect(plan.rows.filter { $0.role == .compared }.count == 4)
        #expect(plan.rows.contains { $0.role == .curve && $0.strategy == .pollFixed(interval: .seconds(2)) })
        #expect(!plan.rows.contains { $0.role == .curve && PollingFamily.of($0.strategy)?.family == .events }, "only the families asked for")

        let table = ResultFiles.plan(plan)
        #expect(table.columns == ResultFiles.planColumns)
        let records = table.records
        let row = try #require(records.first { $0["strategy"] == "poll-fixed:1s" && $0["role"] == "compared" })
        #expect(row["throttled"] == "1")
        #expect(row["rate_limit_per_s"] == "20")
        #expect(row["family"] == "poll-fixed")
        #expect(row["parameter_s"] == "1")
        #expect(records.first { $0["strategy"] == "webhook" }?["family"] == "")

        let text = SummaryTable.plan(plan)
        #expect(text.contains("poll-fixed:1s"))
        #expect(text.contains("THROTTLED"))
        #expect(text.contains("poll-fixed: poll-fixed:60s"))
    }

    @Test func droppedWebhooksAndTheBusiestHourAreCounted() throws {
        var input = PlanInput(documentsPerDay: 10_000, reviewDelay: Self.userDelay, strategies: [.webhook, .hybrid(sweep: .seconds(60), staleAfter: .seconds(120)), .pollFixed(interval: .seconds(60))])
        input.families = []
        let even = Plan(input)
        input.dropRate = 0.1
        input.peakFactor = 3
        let plan = Plan(input)
        let webhook = try #require(plan.rows.first { $0.strategy == .webhook })
        #expect(abs(webhook.lostPerDay - 1_000) < 1e-6, "a tenth of the webhooks never sent, nothing to catch them")
        let hybrid = try #require(plan.rows.first { $0.strategy == .hybrid(sweep: .seconds(60), staleAfter: .seconds(120)) })
        #expect(hybrid.lostPerDay == 0, "the hybrid's sweeps catch what the webhooks drop")
        // Every review outlasts the 120 s threshold: a dropped webhook's row is already stale and waits only for the
        // next sweep, uniform on 0-60 s, so the p99 of all documents is that wait's 90th percentile.
        #expect(abs(hybrid.latencyP99 - 54) < 0.5, "\(hybrid.latencyP99)")
        let polls = try #require(plan.rows.first { $0.strategy == .pollFixed(interval: .seconds(60)) })
        let evenPolls = try #require(even.rows.first { $0.strategy == .pollFixed(interval: .seconds(60)) })
        #expect(abs(polls.peakReadsPerSecond - 3 * evenPolls.peakReadsPerSecond) < 1e-9, "the busiest hour at three times the day's average")
        #expect(plan.rows.allSatisfy { $0.role == .compared }, "no families asked for: no curves")
    }

    @Test func thePlanWritesItsCSVAndReport() throws {
        var input = PlanInput(documentsPerDay: 2_000, reviewDelay: try DelayDistribution(.lognormal(median: .seconds(1200), sigma: 1), bounds: .seconds(60) ... .seconds(14_400)), strategies: StrategySpec.all)
        input.targetP99 = .seconds(120)
        input.rateLimit = RateLimit(requestsPerSecond: 5, burst: 5)
        input.maxInFlight = 100_000
        // Backoff's model simulates its schedule at every delay, slow in a debug build: searched in its own test.
        input.families = [.fixed, .conditional, .events, .longPoll]
        let plan = Plan(input)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plan-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let record = RunRecord(command: "Bench plan", seed: 42, timeScale: 1, parameters: [:], startedAt: Date(), durationSeconds: 0)
        try ResultFiles.write(to: folder, tables: [("plan.csv", ResultFiles.plan(plan))], run: record)
        let page = try ReportWriter.write(run: folder)

        let chart = try SVGDocument(folder.appendingPathComponent("plan.svg"))
        for strategy in StrategySpec.all {
            #expect(chart.titles.contains { $0.hasPrefix(strategy.description + ":") }, "\(strategy) in the plan's chart")
        }
        for (family, choice) in plan.searches {
            if let choice {
                #expect(chart.titles.contains { $0.hasPrefix("\(choice.strategy) (cheapest meeting the target)") }, "\(family.rawValue)'s cheapest")
            }
            #expect(chart.titles.contains("\(family.rawValue) across its parameter (model)"))
        }
        #expect(chart.titles.contains("target p99: 120.0 s"))
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(html.contains("Plan at the user&#39;s volume") || html.contains("Plan at the user's volume"))
        #expect(!html.contains(">curve<"), "the ladder of curve rows stays out of the table")
    }

    /// The plan of the suite's own workload at the run's arrival rate against a real run: the gate's bands
    /// (requests per document within 3 %, measured over modelled mean latency 0.85-1.15, Kolmogorov-Smirnov
    /// distance at most 0.15).
    @Test func thePlanOfTheSuitesWorkloadAgreesWithARun() async throws {
        var scenario = ScenarioSpec()
        // Virtual time: no timer fires late, whatever else loads the machine. 100 documents keep the
        // Kolmogorov-Smirnov distance's sampling noise under 0.15.
        scenario.clock = .virtual
        scenario.documents = 100
        scenario.arrivalRate = 8
        scenario.strategies = [
            .webhook, .pollFixed(interval: .seconds(2)), .pollBackoff(initial: .milliseconds(500), factor: 2, cap: .seconds(8)),
            // Reviews longer than its staleness threshold: it sweeps the feed with no webhook missed.
            .hybrid(sweep: .seconds(1), staleAfter: .seconds(3)),
        ]
        let results = try await ComparisonRun(scenario: scenario, progress: ProgressLine(enabled: false), logger: .init(label: "test")).run(databaseDirectory: nil)

        // Documents a day at the run's arrival rate.
        let perDay = Int((scenario.modelArrivalRate * 86_400).rounded())
        let plan = Plan(PlanInput(documentsPerDay: perDay, reviewDelay: scenario.reviewDelay, strategies: scenario.strategies))
        for result in results {
            let row = try #require(plan.rows.first { $0.role == .compared && $0.strategy == result.strategy })
            let name = result.strategy.description
            #expect(result.completed == result.documents, "\(name) lost documents")
            let planned = row.requestsPerDay / Double(perDay)
            #expect(abs(result.requestsPerDocument - planned) <= 0.03 * planned, "\(name): measured \(result.requestsPerDocument) requests per document, planned \(planned)")
            if PollingFamily.of(result.strategy) != nil || result.strategy == .webhook {
                #expect(abs(row.writesPerDay / Double(perDay) - 3) < 1e-9, "\(name): two writes at submission, one verdict")
            }
            guard !result.strategy.usesWebhooks else { continue }
            let ratio = result.latency.meanMilliseconds / 1000 / row.latencyMean
            #expect((0.85...1.15).contains(ratio), "\(name): measured mean \(result.latency.meanMilliseconds) ms, planned \(row.latencyMean * 1000) ms")
            // The run's distance to its own model, plus the largest gap between that model and the plan's, bounds the
            // distance between what was measured and the plan.
            let measuredToRunModel = try #require(result.latencyDistance, "\(name) has a distance")
            let runModelToPlan = row.model.latency.kolmogorovSmirnovDistance(to: result.model.latency.points)
            #expect(measuredToRunModel + runModelToPlan <= 0.15, "\(name): KS \(measuredToRunModel) to the run's model, \(runModelToPlan) between the models")
        }
    }

    /// A run whose Help Desk draws its reviews from a truncated exponential: the polls it took agree with the plan of
    /// that distribution, which they would not if the reviews still came uniform on 2-5 s.
    @Test func aRunDrawsItsReviewsFromTheDistributionThePlanPrices() async throws {
        var scenario = ScenarioSpec()
        scenario.clock = .virtual
        scenario.documents = 60
        scenario.arrivalRate = 5
        scenario.reviewDelay = try DelayDistribution(.exponential(mean: .seconds(1)), bounds: .milliseconds(500) ... .seconds(6))
        // 5 documents a second pending 1.5 s on average: about 8 held long-polls, well inside the app's 32 in flight.
        scenario.strategies = [.pollFixed(interval: .seconds(2)), .longPoll(wait: .seconds(2))]
        let results = try await ComparisonRun(scenario: scenario, progress: ProgressLine(enabled: false), logger: .init(label: "test")).run(databaseDirectory: nil)

        let perDay = Int((scenario.modelArrivalRate * 86_400).rounded())
        let plan = Plan(PlanInput(documentsPerDay: perDay, reviewDelay: scenario.reviewDelay, strategies: scenario.strategies))
        let uniform = Plan(PlanInput(documentsPerDay: perDay, reviewDelay: .uniform(.seconds(2) ... .seconds(5)), strategies: scenario.strategies))
        for (result, (row, uniformRow)) in zip(results, zip(plan.rows, uniform.rows)) {
            let name = result.strategy.description
            #expect(result.completed == result.documents, "\(name) lost documents")
            let planned = row.requestsPerDay / Double(perDay)
            let plannedUniform = uniformRow.requestsPerDay / Double(perDay)
            #expect(abs(planned - plannedUniform) > 0.2 * planned, "\(name): the two distributions cost differently: \(planned) and \(plannedUniform)")
            // 60 documents: the sample mean of the requests a document takes (standard deviation about 0.5) moves by
            // about 0.07 either way, so the band is wider than the gate's.
            #expect(abs(result.requestsPerDocument - planned) <= 0.1 * planned, "\(name): measured \(result.requestsPerDocument) requests per document, planned \(planned)")
        }
    }
}
