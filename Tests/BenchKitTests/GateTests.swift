import Foundation
import Testing

@testable import BenchKit
@testable import Flows

struct GateTests {
    /// A run of three strategies, as `summary.csv` and `dbcost.csv` would hold it.
    private func run() throws -> RunFigures {
        let summary = try CSVTable(parsing: """
            scenario,strategy,documents,completed,accepted,latency_p50_ms,latency_ratio,requests_per_doc,webhook_attempts\r
            ci,webhook,200,200,140,20,,2,200\r
            ci,poll-fixed:1s,200,200,140,520,1.05,4.9,0\r
            ci,long-poll:30s,200,200,140,18,,2,0\r

            """)
        let dbcost = try CSVTable(parsing: """
            backend,rows,index,statements,p50_us,p99_us,mean_us,plan,speedup\r
            sqlite,100000,without,40,10000,12000,10100,SCAN document_reviews,1\r
            sqlite,100000,with,5000,15,40,16,"SEARCH document_reviews USING INDEX x (document_id=?)",666.7\r

            """)
        let receiver = try CSVTable(parsing: """
            phase,req_per_s,ratio_to_ceiling\r
            ceiling,50000,1\r
            receiver,21000,0.42\r

            """)
        return try RunFigures(summary: summary, dbcost: dbcost, receiver: receiver)
    }

    @Test func theReceiverShareOfTheCeilingIsAFloorOfTheGate() throws {
        let figures = try run()
        #expect(figures.values["receiver/ratio_to_ceiling"] == 0.42)
        let floor = try #require(baseline(figures).figures.first { $0.name == "receiver/ratio_to_ceiling" })
        #expect(floor.kind == .atLeast)
        var slower = figures
        slower.values["receiver/ratio_to_ceiling"] = 0.12
        #expect(BaselineCheck(baseline: baseline(figures), run: slower).moved.map(\.figure.name) == ["receiver/ratio_to_ceiling"])
        #expect(BaselineCheck(baseline: baseline(figures), run: slower).exitCode == 2)
    }

    private func baseline(_ figures: RunFigures) -> Baseline {
        let strategies: [StrategySpec] = [.webhook, .pollFixed(interval: .seconds(1)), .longPoll(wait: .seconds(30))]
        return Baseline(
            origin: .init(gitRevision: "test", measuredAt: Date(), machine: .current(), command: "test"),
            figures: BaselinePolicy.figures(for: figures, strategies: strategies)
        )
    }

    @Test func csvParsingReadsWhatTheWriterWrites() throws {
        var table = CSVTable(columns: ["a", "b", "c"])
        table.append(["x,y", "say \"hi\"", "two\r\nlines"])
        table.append(["", "plain", "3"])
        let parsed = try CSVTable(parsing: table.text)
        #expect(parsed == table)
        #expect(throws: BenchError.self) { try CSVTable(parsing: "a,b\r\n1\r\n") }
        #expect(throws: BenchError.self) { try CSVTable(parsing: "a\r\n\"open\r\n") }
    }

    @Test func figuresAreReadBackFromTheResultFiles() throws {
        let figures = try run()
        #expect(figures.values["poll-fixed:1s/requests_per_doc"] == 4.9)
        #expect(figures.values["poll-fixed:1s/p50_over_webhook_p50"] == 26)
        #expect(figures.values["webhook/webhook_attempts_per_doc"] == 1)
        #expect(figures.values["webhook/completed_share"] == 1)
        #expect(figures.values["all/accepted"] == 140)
        #expect(figures.values["all/accepted_agrees"] == 1)
        #expect(figures.values["dbcost/speedup_100000_rows"] == 666.7)
        #expect(figures.values["webhook/latency_ratio"] == nil, "no ratio where the model expects zero")
    }

    @Test func aRunHoldsAgainstTheBaselineMadeFromIt() throws {
        let figures = try run()
        let check = BaselineCheck(baseline: baseline(figures), run: figures)
        #expect(check.exitCode == 0, "\(check.report)")
        #expect(check.report.contains("Every figure holds."))
        #expect(!check.rows.contains { $0.figure.name == "long-poll:30s/p50_over_webhook_p50" }, "a long-poll is as fast as a webhook")
        #expect(check.rows.contains { $0.figure.name == "long-poll:30s/push_p50_over_webhook_p50" }, "so its p50 is kept beside the webhook's")
    }

    @Test func aFigureOfABackendTheRunDidNotUseIsNotJudged() throws {
        let figures = try run()
        #expect(figures.backends == ["sqlite"])
        var withPostgres = baseline(figures)
        withPostgres.figures.append(.init(name: "dbcost/postgres_speedup_100000_rows", kind: .atLeast, value: 20, comment: "test", backend: "postgres"))
        let check = BaselineCheck(baseline: withPostgres, run: figures)
        #expect(check.rows.first { $0.figure.name == "dbcost/postgres_speedup_100000_rows" }?.verdict == .notMeasured)
        #expect(check.exitCode == 0, "a run on SQLite alone passes")
        var onPostgres = figures
        onPostgres.backends.insert("postgres")
        #expect(BaselineCheck(baseline: withPostgres, run: onPostgres).exitCode == 2, "a run that used PostgreSQL must have the figure")
    }

    @Test func aStrategyToldAtOnceMustStayAboutAsFastAsAWebhook() throws {
        let figures = try run()
        // Held answers (as fast as a webhook in the run: 18 against 20 ms) and a model that expects no wait.
        #expect(figures.values["long-poll:30s/push_p50_over_webhook_p50"] == 0.9)
        #expect(figures.values["poll-fixed:1s/push_p50_over_webhook_p50"] == nil, "a poller is judged as a poller")
        var slow = figures
        slow.values["long-poll:30s/push_p50_over_webhook_p50"] = 12
        let check = BaselineCheck(baseline: baseline(figures), run: slow)
        #expect(check.exitCode == 2)
        #expect(check.moved.map(\.figure.name) == ["long-poll:30s/push_p50_over_webhook_p50"])
    }

    @Test func aTightenedFigureMakesTheGateFailAndNamesIt() throws {
        let figures = try run()
        var tightened = baseline(figures)
        let index = try #require(tightened.figures.firstIndex { $0.name == "poll-fixed:1s/requests_per_doc" })
        tightened.figures[index].value = 4.0
        let check = BaselineCheck(baseline: tightened, run: figures)
        #expect(check.exitCode == 2)
        #expect(check.moved.map(\.figure.name) == ["poll-fixed:1s/requests_per_doc"])
        #expect(check.report.contains("Regressed: poll-fixed:1s/requests_per_doc"))
    }

    @Test func aLoosenedFigureMakesTheGateReportAnImprovement() throws {
        let figures = try run()
        var loosened = baseline(figures)
        let index = try #require(loosened.figures.firstIndex { $0.name == "poll-fixed:1s/requests_per_doc" })
        loosened.figures[index].value = 6.0
        let check = BaselineCheck(baseline: loosened, run: figures)
        #expect(check.exitCode == 4)
        #expect(check.report.contains("Improved: poll-fixed:1s/requests_per_doc"))
    }

    @Test func aChattierOrSlowerStrategyRegresses() throws {
        let figures = try run()
        let base = baseline(figures)
        var chattier = figures
        // A poll interval halved in code: about twice the requests, and half the latency the model expects.
        chattier.values["poll-fixed:1s/requests_per_doc"] = 8.8
        chattier.values["poll-fixed:1s/latency_ratio"] = 0.55
        let check = BaselineCheck(baseline: base, run: chattier)
        #expect(check.exitCode == 2)
        #expect(Set(check.moved.map(\.figure.name)) == ["poll-fixed:1s/requests_per_doc", "poll-fixed:1s/latency_ratio"])

        var lossy = figures
        lossy.values["webhook/completed_share"] = 0.995
        #expect(BaselineCheck(baseline: base, run: lossy).exitCode == 2)
        var missing = figures
        missing.values["dbcost/speedup_100000_rows"] = nil
        #expect(BaselineCheck(baseline: base, run: missing).moved.map(\.verdict) == [.missing])
    }

    @Test func aMissingOrMalformedBaselineIsAClearError() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = #expect(throws: BenchError.self) { try Baseline.load(from: folder.appendingPathComponent("none.json")) }
        #expect(missing?.description.contains("cannot be read") == true)

        let malformed = folder.appendingPathComponent("bad.json")
        try Data("{\"figures\": 3}".utf8).write(to: malformed)
        #expect(throws: BenchError.self) { try Baseline.load(from: malformed) }

        var invalid = baseline(try run())
        invalid.figures[0].kind = .within
        invalid.figures[0].tolerance = nil
        try invalid.write(to: malformed)
        let error = #expect(throws: BenchError.self) { try Baseline.load(from: malformed) }
        #expect(error?.description.contains("needs a value, a tolerance") == true)

        let valid = folder.appendingPathComponent("good.json")
        try baseline(try run()).write(to: valid)
        #expect(try Baseline.load(from: valid).figures.count == baseline(try run()).figures.count)
    }
}
