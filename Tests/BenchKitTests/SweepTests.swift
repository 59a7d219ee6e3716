import Foundation
import Testing

@testable import BenchKit
@testable import Flows

/// `Bench sweep`: a small sweep run for real, read back through its files and its chart.
@Suite(.timeLimit(.minutes(3)))
struct SweepTests {
    @Test func aSmallSweepMeasuresEveryPointBesideItsModel() async throws {
        var spec = SweepSpec()
        spec.scenario = spec.scenario.inVirtualTime()
        spec.scenario.documents = 60
        spec.families = [.fixed, .longPoll]
        spec.intervals = [.milliseconds(500), .seconds(2)]
        spec.longPollWaits = [.seconds(4)]
        spec.references = [.webhook]
        #expect(spec.points.map(\.strategy.description) == ["poll-fixed:500ms", "poll-fixed:2s", "long-poll:4s", "webhook"])

        let results = try await SweepRun(spec: spec, progress: ProgressLine(enabled: false), logger: .init(label: "test")).run()
        #expect(results.map(\.point) == spec.points)
        for entry in results {
            #expect(entry.result.completed == 60, "\(entry.result.strategy) completed every document")
        }
        // The longer interval costs fewer requests and waits longer: both ends of the trade-off are measured.
        let (often, seldom) = (results[0].result, results[1].result)
        #expect(often.requestsPerDocument > seldom.requestsPerDocument)
        #expect(often.latency.meanMilliseconds < seldom.latency.meanMilliseconds)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let record = RunRecord(command: "Bench sweep", seed: 42, timeScale: 0.25, parameters: [:], startedAt: Date(), durationSeconds: 1)
        try ResultFiles.write(to: folder, tables: [("sweep.csv", ResultFiles.sweep(results))], run: record)
        _ = try ReportWriter.write(run: folder)

        let table = try #require(try CSVTable.readIfPresent(folder.appendingPathComponent("sweep.csv")))
        #expect(table.columns == ResultFiles.sweepColumns)
        let records = table.records
        #expect(records.map { $0["family"] ?? "" } == ["poll-fixed", "poll-fixed", "long-poll", "reference"])
        #expect(records.map { $0["parameter_s"] ?? "" } == ["0.5", "2", "4", ""])
        for record in records {
            for column in ["latency_mean_ms", "model_latency_mean_ms", "requests_per_doc", "model_requests_per_doc"] {
                #expect(record.number(column) != nil, "\(record["strategy"] ?? "") has \(column)")
            }
        }
        // The webhook is both cheapest and fastest: nothing beats it, and it beats the polls.
        #expect(records[3]["frontier_mean"] == "1")
        #expect(records[1]["frontier_mean"] == "0")

        let chart = try SVGDocument(folder.appendingPathComponent("sweep-mean.svg"))
        for strategy in ["poll-fixed:500ms", "poll-fixed:2s", "long-poll:4s", "webhook"] {
            #expect(chart.titles.contains { $0.hasPrefix(strategy + ": mean") }, "\(strategy) measured")
        }
        // Every model has its point: a poller's wait, and one that tells at once on the log axis's floor.
        for strategy in ["poll-fixed:500ms", "poll-fixed:2s"] {
            #expect(chart.titles.contains { $0.hasPrefix(strategy + " model: mean") }, "\(strategy) modelled")
        }
        #expect(chart.titles.contains("poll-fixed, measured"))
        #expect(chart.titles.contains("poll-fixed, model"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("sweep-p99.svg").path))
    }

    @Test func theFrontierKeepsPointsNoOtherBeatsAndSkipsLossyOnes() {
        let points: [(cost: Double, value: Double, eligible: Bool)] = [
            (3, 100, true), (2, 400, true), (2, 500, true), (5, 50, true), (1, 10, false), (5, 50, true),
        ]
        // (2, 500) is beaten by (2, 400); the lossy (1, 10) is no candidate, so beats nothing; equal points both stay.
        #expect(SweepFrontier.members(points) == [0, 1, 3, 5])
    }
}
