import Foundation
import MockHelpDesk
import Testing

@testable import BenchKit
@testable import Flows
@testable import SimulationSupport

/// `Bench plan --verify`: the plan's day run in virtual time beside the model, flagged and written out.
@Suite(.timeLimit(.minutes(4)))
struct PlanVerificationTests {
    /// `--verify` end to end: a day of one document a second, reviews of 20-60 s, run in virtual time for a webhook
    /// (agrees), a long-poll with 8 slots for about 40 pending documents (its queue is in the model) and a fixed
    /// poll the vendor's 10 a second throttles (flagged, with its 429s, on a thinned copy of the day).
    @Test func verifyRunsThePlansDayBesideTheModel() async throws {
        var input = PlanInput(
            documentsPerDay: 86_400, reviewDelay: .uniform(.seconds(20) ... .seconds(60)),
            strategies: [.webhook, .longPoll(wait: .seconds(10)), .pollFixed(interval: .seconds(1))]
        )
        input.families = []
        input.maxInFlight = 8
        input.rateLimit = .window(10, per: .seconds(1))
        let plan = Plan(input)
        let longPollRow = try #require(plan.rows.first { $0.strategy == .longPoll(wait: .seconds(10)) })
        #expect(longPollRow.needsMoreSlots)
        #expect(longPollRow.latencyMean > 1, "the plan's own model queues for the 8 slots")
        var options = PlanVerification.Options()
        options.documents = 150
        // Below what the fixed poll would make at the limit over its documents and the drain: it runs thinned.
        options.requestBudget = 1_000
        let cells = try await PlanVerification(plan: plan, options: options).run(progress: ProgressLine(enabled: false), logger: .init(label: "test"))
        #expect(cells.map(\.strategy) == input.strategies)

        let webhook = cells[0]
        #expect(webhook.flags.isEmpty, "\(webhook.flags)")
        #expect(webhook.documents == 150)
        #expect(webhook.result.requestsPerDocument == 2)

        let longPoll = cells[1]
        #expect(longPoll.result.completed == longPoll.documents)
        let (measured, modelled) = (longPoll.result.latency.meanMilliseconds / 1000, longPoll.model.latency.mean)
        #expect(modelled > 1, "documents wait for a slot")
        #expect(abs(measured - modelled) <= max(1, 0.05 * modelled), "measured mean \(measured) s, model \(modelled) s")
        #expect(abs(longPoll.result.requestsPerDocument / longPoll.model.requestsPerDocument - 1) <= PlanVerification.requestTolerance,
                "measured \(longPoll.result.requestsPerDocument) requests a document, model \(longPoll.model.requestsPerDocument)")
        #expect(longPoll.flags.isEmpty, "\(longPoll.flags)")

        let polls = cells[2]
        #expect(polls.scale < 1, "a throttled strategy runs on a thinned day")
        #expect(polls.result.rateLimited > 0)
        #expect(polls.flags.isEmpty, "the model follows each poll against the limit: \(polls.flags)")
        #expect(polls.result.completed == polls.documents, "throttled, not lost")

        let table = ResultFiles.plan(plan, verification: cells)
        #expect(table.columns == ResultFiles.planColumns + ResultFiles.planVerifyColumns)
        let row = try #require(table.records.first { $0["strategy"] == "poll-fixed:1s" })
        #expect(row["verify_documents"] == String(polls.documents))
        #expect(row["verify_flags"] == "")
        #expect(Double(row["verify_429_per_day"] ?? "") ?? 0 > 0)
        #expect(table.records.first { $0["strategy"] == "webhook" }?["verify_flags"] == "")
        // The report: the verified table, and in the chart a line from each model point to what was measured.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plan-verify-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let record = RunRecord(command: "Bench plan", seed: 42, timeScale: 1, parameters: [:], startedAt: Date(), durationSeconds: 0)
        try ResultFiles.write(to: folder, tables: [("plan.csv", table)], run: record)
        let page = try String(contentsOf: try ReportWriter.write(run: folder), encoding: .utf8)
        #expect(page.contains("Plan verified in virtual time"))
        let chart = try SVGDocument(folder.appendingPathComponent("plan.svg"))
        #expect(chart.titles.contains { $0.hasPrefix("poll-fixed:1s measured in virtual time on \(polls.documents) documents") }, "\(chart.titles)")
        #expect(chart.titles.contains { $0.hasPrefix("webhook measured in virtual time on 150 documents") && $0.hasSuffix("as the model") })

        let text = SummaryTable.planVerification(plan, cells)
        #expect(!text.contains("FLAGGED"), "\(text)")
    }

    @Test func aRunOfPartOfTheDayIsNamedWhenItsModelIsNotTheDays() {
        let day = StrategyModel(latency: LatencyModel(points: [0, 120, 240]), requestsPerDocument: 7)
        let run = StrategyModel(latency: LatencyModel(points: [0, 120, 240]), requestsPerDocument: 11.5)
        let note = PlanVerification.note(run, day: day, documents: 2_000, throttled: false)
        #expect(note?.contains("not a steady day: the model gives 11.5 requests/doc") == true, "\(note ?? "none")")
        #expect(note?.contains("7 and 2.0 min over the whole day") == true, "\(note ?? "none")")
        #expect(PlanVerification.note(run, day: day, documents: 2_000, throttled: true) == nil, "a throttled strategy's model prices no limit")
        #expect(PlanVerification.note(day, day: day, documents: 2_000, throttled: false) == nil)
    }
}
