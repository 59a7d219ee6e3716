import Foundation
import Testing

@testable import BenchKit
@testable import Flows

struct GateTests {
    /// A run of three strategies and a fault row, as `summary.csv`, `dbcost.csv`, `receiver.csv` and `hotpath.csv`
    /// would hold it.
    private func run(backend: String = "sqlite") throws -> RunFigures {
        let summary = try CSVTable(parsing: """
            scenario,strategy,documents,completed,lost,accepted,latency_p50_ms,latency_mean_ms,latency_ratio,model_draws_latency_mean_ms,requests_total,webhook_attempts,duplicates_suppressed,double_applied,db_statements,latency_ks\r
            ci,webhook,200,200,0,140,0,0,,0,400,200,0,0,2650,0\r
            ci,poll-fixed:1s,200,200,0,140,464.4,477.7,0.955,,990,0,0,0,2453,0.058\r
            ci,long-poll:30s,200,200,0,140,0,7.4,0.638,7.4,400,0,0,0,2453,0.045\r
            duplicate-30pct,webhook,60,60,0,41,0,0,,0,120,78,18,0,800,0\r

            """)
        let dbcost = try CSVTable(parsing: """
            backend,rows,index,statements,p50_us,p99_us,mean_us,plan,speedup\r
            \(backend),100000,without,40,10000,12000,10100,SCAN document_reviews,1\r
            \(backend),100000,with,5000,15,40,16,"SEARCH document_reviews USING INDEX x (document_id=?)",666.7\r

            """)
        let receiver = try CSVTable(parsing: """
            phase,req_per_s,ratio_to_ceiling\r
            ceiling,50000,1\r
            receiver,21000,0.42\r

            """)
        let hotPaths = HotPathCounts.table([
            HotPathCount(path: "receiver", operations: 400, instructionsPerOperation: 250_000, allocationsPerOperation: 180),
        ])
        return try RunFigures(summary: summary, backend: backend, dbcost: dbcost, receiver: receiver, hotPaths: hotPaths)
    }

    private func baseline(_ figures: RunFigures) -> Baseline {
        Baseline(
            origin: .init(gitRevision: "test", measuredAt: Date(), machine: .current(), command: "test"),
            figures: BaselinePolicy.figures(for: figures)
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

    @Test func figuresAreReadBackFromTheResultFilesForEveryScenario() throws {
        let figures = try run()
        #expect(figures.values["ci/poll-fixed:1s/requests_total"] == 990)
        #expect(figures.values["ci/poll-fixed:1s/latency_p50_ms"] == 464.4)
        #expect(figures.values["ci/poll-fixed:1s/latency_ratio"] == 0.955)
        #expect(figures.values["ci/webhook/latency_ratio"] == nil, "no ratio where the model expects zero")
        #expect(figures.values["ci/long-poll:30s/latency_ratio"] == 1, "against the model on the run's own draws when the run has it")
        #expect(figures.values["duplicate-30pct/webhook/duplicates_suppressed"] == 18)
        #expect(figures.values["ci/webhook/db_statements"] == 2650)
        #expect(figures.values["all/accepted_agrees"] == 1)
        #expect(figures.values["dbcost/speedup_100000_rows"] == 666.7)
        #expect(figures.values["dbcost/uses_index_100000_rows"] == 1)
        #expect(figures.values["dbcost/scans_without_index_100000_rows"] == 1)
        #expect(figures.values["hotpath/receiver/instructions"] == 250_000)
        #expect(figures.values["hotpath/receiver/allocations"] == 180)
    }

    @Test func everyFigureSaysHowItIsMeasured() throws {
        let figures = baseline(try run()).figures
        let measured = Dictionary(uniqueKeysWithValues: figures.map { ($0.name, $0.measured) })
        #expect(measured["ci/poll-fixed:1s/requests_total"] == .exact)
        #expect(measured["ci/poll-fixed:1s/latency_ratio"] == .exact)
        #expect(measured["hotpath/receiver/instructions"] == .counted)
        #expect(measured["hotpath/receiver/allocations"] == .counted)
        #expect(measured["receiver/ratio_to_ceiling"] == .timed)
        #expect(measured["dbcost/speedup_100000_rows"] == .timed)
        #expect(measured["dbcost/uses_index_100000_rows"] == .exact)
    }

    @Test func aRunHoldsAgainstTheBaselineMadeFromIt() throws {
        let figures = try run()
        let check = BaselineCheck(baseline: baseline(figures), run: figures)
        #expect(check.exitCode == 0, "\(check.report)")
        #expect(check.report.contains("Every figure holds."))
        #expect(check.csv.rows.count == check.rows.count)
    }

    @Test func anyChangeInBehaviourFailsTheGateWithTheFigureAndBothValues() throws {
        let figures = try run()
        var changed = figures
        // One request more in 990: a 0.1 % change, far inside the old ±3 % band.
        changed.values["ci/poll-fixed:1s/requests_total"] = 991
        let check = BaselineCheck(baseline: baseline(figures), run: changed)
        #expect(check.exitCode == 2)
        #expect(check.moved.map(\.figure.name) == ["ci/poll-fixed:1s/requests_total"])
        #expect(check.report.contains("Regressed: ci/poll-fixed:1s/requests_total"))
        let row = try #require(check.csv.rows.first { $0[0] == "ci/poll-fixed:1s/requests_total" })
        #expect(row == ["ci/poll-fixed:1s/requests_total", "exact", "990", "991", "exact (lower is better)", "regressed"])

        var deduplicatedNoMore = figures
        deduplicatedNoMore.values["duplicate-30pct/webhook/duplicates_suppressed"] = 0
        #expect(BaselineCheck(baseline: baseline(figures), run: deduplicatedNoMore).exitCode == 2, "a figure without a better side regresses whichever way it moves")
    }

    @Test func aChangeOnTheBetterSideIsAnImprovement() throws {
        let figures = try run()
        var fewer = figures
        fewer.values["ci/poll-fixed:1s/requests_total"] = 980
        let check = BaselineCheck(baseline: baseline(figures), run: fewer)
        #expect(check.exitCode == 4)
        #expect(check.report.contains("Improved: ci/poll-fixed:1s/requests_total"))
        var fewerButLater = fewer
        fewerButLater.values["ci/poll-fixed:1s/latency_mean_ms"] = 480
        #expect(BaselineCheck(baseline: baseline(figures), run: fewerButLater).exitCode == 2, "a regression anywhere outweighs an improvement")
    }

    @Test func aLatencyFarFromTheModelFailsEvenAfterAnUpdate() throws {
        var broken = try run()
        broken.values["ci/poll-fixed:1s/latency_ratio"] = 0.5
        let check = BaselineCheck(baseline: baseline(broken), run: broken)
        #expect(check.exitCode == 2)
        #expect(check.moved.map(\.figure.name) == ["ci/poll-fixed:1s/latency_ratio"])
    }

    @Test func aWorkloadOfYourOwnKeepsTheModelBandToo() throws {
        let summary = try CSVTable(parsing: """
            scenario,strategy,documents,completed,lost,accepted,latency_mean_ms,latency_ratio,model_draws_latency_mean_ms,requests_total\r
            comparison,poll-fixed:60s,500,500,0,350,15000,1.0,15000,15500\r
            comparison,webhook,500,500,0,350,0,,0,1000\r

            """)
        var broken = try RunFigures(summary: summary, backend: "sqlite", dbcost: nil)
        broken.values["comparison/poll-fixed:60s/latency_ratio"] = 0.5
        let figures = baseline(broken).figures
        #expect(figures.contains { $0.name == "comparison/poll-fixed:60s/latency_ratio" && $0.kind == .band })
        #expect(!figures.contains { $0.name.hasPrefix("hotpath/") }, "a workload of your own is judged on its behaviour")
        #expect(BaselineCheck(baseline: baseline(broken), run: broken).moved.map(\.figure.name) == ["comparison/poll-fixed:60s/latency_ratio"])
    }

    @Test func aBaselineKeepsTheWorkloadItWasMeasuredOn() throws {
        let origin = Baseline.Origin(gitRevision: "test", measuredAt: Date(timeIntervalSince1970: 0), machine: .current(), command: "test")
        let figure = Baseline.Figure(name: "all/accepted_agrees", kind: .exact, measured: .exact, value: 1)
        let own = ["--vendor", "zendesk-growth", "--documents", "500", "--strategies", "webhook,hybrid:60s"]
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("baseline-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try Baseline(origin: origin, workload: own, figures: [figure]).write(to: url)
        let read = try Baseline.load(from: url)
        #expect(read.runWorkload == own)
        #expect(!Baseline.countsHotPaths(read.runWorkload))

        let project = Baseline(origin: origin, workload: Baseline.ciWorkload, figures: [figure])
        #expect(project.workload == nil, "the CI profile is the default, written as no workload")
        #expect(project.runWorkload == ["--profile", "ci"])
        #expect(Baseline.countsHotPaths(project.runWorkload))
        #expect(Baseline.countsHotPaths(["--seed", "7", "--profile=ci"]))
    }

    @Test func countedFiguresAllowThreePercentMoreInstructionsButNotOneMoreAllocation() throws {
        let figures = try run()
        let base = baseline(figures)
        var noise = figures
        noise.values["hotpath/receiver/instructions"] = 257_000
        noise.values["hotpath/receiver/allocations"] = 180.3
        #expect(BaselineCheck(baseline: base, run: noise).exitCode == 0)
        var slower = figures
        slower.values["hotpath/receiver/instructions"] = 262_500
        #expect(BaselineCheck(baseline: base, run: slower).moved.map(\.figure.name) == ["hotpath/receiver/instructions"])
        #expect(BaselineCheck(baseline: base, run: slower).exitCode == 2)
        var allocating = figures
        allocating.values["hotpath/receiver/allocations"] = 181
        #expect(BaselineCheck(baseline: base, run: allocating).moved.map(\.figure.name) == ["hotpath/receiver/allocations"])
        var missing = figures
        missing.values["hotpath/receiver/instructions"] = nil
        #expect(BaselineCheck(baseline: base, run: missing).exitCode == 2, "a counter that did not run fails the gate")
    }

    @Test func theGatePageShowsEachFigureWithHowItIsMeasuredMovedFiguresFirst() throws {
        let figures = try run()
        var changed = figures
        changed.values["duplicate-30pct/webhook/duplicates_suppressed"] = 0
        let base = baseline(figures)
        let page = GateReport.html(BaselineCheck(baseline: base, run: changed), baseline: base)
        #expect(page.contains("exit 2"))
        let moved = try #require(page.range(of: #"<tr class="regressed"><td>duplicate-30pct/webhook/duplicates_suppressed</td><td>exact</td>"#))
        let holding = try #require(page.range(of: #"<td>hotpath/receiver/instructions</td><td>counted</td>"#))
        #expect(moved.lowerBound < holding.lowerBound)
        #expect(page.contains(#"<td>receiver/ratio_to_ceiling</td><td>timed</td>"#))
    }

    @Test func timedFiguresWarnButDoNotFail() throws {
        let figures = try run()
        var slower = figures
        slower.values["receiver/ratio_to_ceiling"] = 0.12
        let check = BaselineCheck(baseline: baseline(figures), run: slower)
        #expect(check.moved.map(\.verdict) == [.warns])
        #expect(check.exitCode == 0)
        #expect(check.report.contains("(advice, not a failure): receiver/ratio_to_ceiling"))
    }

    @Test func aFigureOfABackendTheRunDidNotUseIsNotJudged() throws {
        let onSQLite = try run()
        let onPostgres = try run(backend: "postgres")
        #expect(onPostgres.values["ci/webhook/postgres_db_statements"] == 2650)
        #expect(onPostgres.values["ci/webhook/db_statements"] == nil)
        var both = baseline(onSQLite)
        both.figures += baseline(onPostgres).figures.filter { $0.backend == "postgres" }
        for run in [onSQLite, onPostgres] {
            let check = BaselineCheck(baseline: both, run: run)
            #expect(check.exitCode == 0, "\(check.report)")
            #expect(check.rows.contains { $0.verdict == .notMeasured })
        }
    }

    @Test func aMissingMalformedOrOtherVersionBaselineIsAClearError() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = #expect(throws: BenchError.self) { try Baseline.load(from: folder.appendingPathComponent("none.json")) }
        #expect(missing?.description.contains("cannot be read") == true)

        let malformed = folder.appendingPathComponent("bad.json")
        try Data("[3]".utf8).write(to: malformed)
        #expect(throws: BenchError.self) { try Baseline.load(from: malformed) }

        try Data(#"{"figures": [], "origin": {}}"#.utf8).write(to: malformed)
        let unversioned = #expect(throws: BenchError.self) { try Baseline.load(from: malformed) }
        #expect(unversioned?.description.contains("no schemaVersion") == true)
        try Data(#"{"schemaVersion": 1, "figures": []}"#.utf8).write(to: malformed)
        let old = #expect(throws: BenchError.self) { try Baseline.load(from: malformed) }
        #expect(old?.description.contains("schema version 1") == true)

        var invalid = baseline(try run())
        let index = try #require(invalid.figures.firstIndex { $0.kind == .exact })
        invalid.figures[index].kind = .within
        try invalid.write(to: malformed)
        let error = #expect(throws: BenchError.self) { try Baseline.load(from: malformed) }
        #expect(error?.description.contains("needs a value, a tolerance") == true)

        let valid = folder.appendingPathComponent("good.json")
        try baseline(try run()).write(to: valid)
        #expect(try Baseline.load(from: valid).figures.count == baseline(try run()).figures.count)
    }
}
