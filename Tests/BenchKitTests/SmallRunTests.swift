import Foundation
import Testing

@testable import BenchKit
@testable import Flows

/// A small real run, checked through the files it writes: the columns, and the relations that must hold.
@Suite(.timeLimit(.minutes(2)))
struct SmallRunTests {
    private func rows(_ url: URL) throws -> [[String: String]] {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\r\n").map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.dropFirst().map { line in
            Dictionary(uniqueKeysWithValues: zip(header, line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
        }
    }

    @Test func fiftyDocumentsByWebhookAndFixedPolling() async throws {
        var scenario = ScenarioSpec()
        scenario.documents = 50
        scenario.arrivalRate = 100
        // Slow enough that a debug build's milliseconds of overhead, with other tests running beside it, stay small
        // against a 1 s poll interval.
        scenario.timeScale = 0.25
        scenario.strategies = [.webhook, .pollFixed(interval: .seconds(1))]
        let results = try await ComparisonRun(scenario: scenario, progress: ProgressLine(enabled: false), logger: .init(label: "test"))
            .run(databaseDirectory: nil)
        var sweep = DBCostSweep()
        sweep.rows = [10_000]
        sweep.budgetPerCell = .milliseconds(200)
        let folder = try ComparisonRun.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cells = try await sweep.run(in: folder)
        let record = RunRecord(command: "test", seed: 42, timeScale: 0.01, parameters: [:], startedAt: Date(), durationSeconds: 1)
        try ResultFiles.write(to: folder, results: results, dbCost: cells, run: record)

        let summary = try rows(folder.appendingPathComponent("summary.csv"))
        #expect(Set(summary[0].keys) == Set(ResultFiles.summaryColumns))
        for column in [
            "scenario", "strategy", "documents", "completed", "lost", "latency_p50_ms", "latency_p90_ms", "latency_p99_ms", "latency_p999_ms",
            "latency_max_ms", "latency_mean_ms", "model_latency_mean_ms", "requests_total", "requests_per_doc", "model_requests_per_doc",
            "wasted_requests", "efficiency", "webhook_attempts", "bytes_sent", "bytes_received", "db_statements", "db_time_ms", "cpu_user_s",
            "cpu_sys_s",
        ] {
            #expect(summary[0][column] != nil, "summary.csv lacks \(column)")
        }
        let webhook = try #require(summary.first { $0["strategy"] == "webhook" })
        #expect(webhook["completed"] == "50")
        #expect(webhook["lost"] == "0")
        #expect(webhook["webhook_attempts"] == "50", "one delivery per document with no faults")
        #expect(webhook["requests_total"] == "100")
        // Each row carries its own run's time scale (a suite's fault rows run at another than its comparison), and
        // its wall-time latency is the model latency times that scale.
        #expect(webhook["time_scale"] == "0.25")
        let p50 = try #require(webhook["latency_p50_ms"].flatMap(Double.init))
        let p50Wall = try #require(webhook["latency_p50_wall_ms"].flatMap(Double.init))
        #expect(abs(p50Wall - p50 * 0.25) <= 0.001 + p50 * 0.25 * 1e-3, "wall p50 \(p50Wall) ms for a model p50 of \(p50) ms")

        let polling = try #require(summary.first { $0["strategy"] == "poll-fixed:1s" })
        #expect(polling["completed"] == "50")
        let mean = try #require(polling["latency_mean_ms"].flatMap(Double.init))
        let model = try #require(polling["model_latency_mean_ms"].flatMap(Double.init))
        // The model says 500 ms and overhead only adds to it: a poller that learned sooner would be polling more often
        // than its interval. How much overhead adds depends on the machine's load; bounding it is the gate's job.
        #expect(mean > 0.7 * model, "poll-fixed:1s mean \(mean) ms against a model of \(model) ms")
        let perDocument = try #require(polling["requests_per_doc"].flatMap(Double.init))
        let modelPerDocument = try #require(polling["model_requests_per_doc"].flatMap(Double.init))
        #expect(perDocument <= 1.1 * modelPerDocument, "one status request per interval (\(perDocument) vs \(modelPerDocument))")
        #expect(webhook["accepted"] == polling["accepted"], "the same seed decides the same verdicts")

        let latency = try rows(folder.appendingPathComponent("latency.csv"))
        // Per strategy, every kept percentile and the maximum, measured and modelled.
        let percentiles = LatencySummary.percentiles.count + 1
        #expect(latency.count == 2 * 2 * percentiles)
        #expect(Set(latency.compactMap { $0["percentile"] }).isSuperset(of: ["50", "90", "99", "99.9", "100"]))
        #expect(latency.filter { $0["source"] == "model" }.count == 2 * percentiles)

        let dbcost = try rows(folder.appendingPathComponent("dbcost.csv"))
        let without = try #require(dbcost.first { $0["index"] == "without" })
        let with = try #require(dbcost.first { $0["index"] == "with" })
        #expect(without["plan"]?.contains("SCAN") == true)
        #expect(with["plan"]?.contains("USING INDEX") == true)
        let speedup = try #require(with["speedup"].flatMap(Double.init))
        #expect(speedup > 2, "the index speeds the update up at 10k rows (\(speedup)x)")

        let run = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("run.json"))) as? [String: Any]
        #expect(run?["seed"] as? Int == 42)
        #expect((run?["machine"] as? [String: Any])?["cores"] != nil)
    }
}
