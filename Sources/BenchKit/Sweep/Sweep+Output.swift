import Flows
import Foundation
import SimulationSupport

extension ResultFiles {
    /// `sweep.csv`: one row per point of a sweep, measured beside the model.
    public static let sweepColumns = [
        "family", "strategy", "parameter_s", "documents", "completed", "lost",
        "latency_p50_ms", "latency_p99_ms", "latency_mean_ms", "model_latency_p50_ms", "model_latency_p99_ms", "model_latency_mean_ms",
        "latency_ks", "requests_per_doc", "model_requests_per_doc", "efficiency", "model_efficiency",
        "frontier_mean", "frontier_p99", "time_scale", "wall_s",
    ]

    public static func sweep(_ results: [SweepResult]) -> CSVTable {
        var table = CSVTable(columns: sweepColumns)
        let number = { (value: Double) in CSVTable.number(value) }
        let frontierMean = SweepFrontier.members(results) { $0.latency.meanMilliseconds }
        let frontierP99 = SweepFrontier.members(results) { $0.latency.milliseconds(atPercentile: 99) }
        for (index, entry) in results.enumerated() {
            let (point, result) = (entry.point, entry.result)
            let model = result.model
            table.append([
                point.familyName, result.strategy.description, point.parameter.map { number($0.secondsValue) } ?? "",
                String(result.documents), String(result.completed), String(result.lost),
                number(result.latency.milliseconds(atPercentile: 50)), number(result.latency.milliseconds(atPercentile: 99)),
                number(result.latency.meanMilliseconds), number(model.latencyMilliseconds(atPercentile: 50)),
                number(model.latencyMilliseconds(atPercentile: 99)), number(model.latencyMeanMilliseconds),
                result.latencyDistance.map { CSVTable.number($0, digits: 4) } ?? "",
                number(result.requestsPerDocument), number(model.requestsPerDocument),
                CSVTable.number(result.efficiency, digits: 4), CSVTable.number(model.efficiency, digits: 4),
                frontierMean.contains(index) ? "1" : "0", frontierP99.contains(index) ? "1" : "0",
                CSVTable.number(result.timeScale, digits: 6), number(result.wallDuration.secondsValue),
            ])
        }
        return table
    }
}

/// The points of a sweep that no other beats on both cost and latency, measured.
enum SweepFrontier {
    /// Indices of the results on the Pareto frontier of requests per document against `latency` (both lower is
    /// better); results that lost documents are not candidates.
    static func members(_ results: [SweepResult], latency: (StrategyResult) -> Double) -> Set<Int> {
        members(results.map { ($0.result.requestsPerDocument, latency($0.result), $0.result.lost == 0) })
    }

    /// Indices of the eligible points that no other eligible point matches on both cost and value and beats on one.
    static func members(_ points: [(cost: Double, value: Double, eligible: Bool)]) -> Set<Int> {
        let candidates = points.indices.filter { points[$0].eligible }
        return Set(candidates.filter { index in
            let point = points[index]
            return !candidates.contains { other in
                let rival = points[other]
                return rival.cost <= point.cost && rival.value <= point.value && (rival.cost < point.cost || rival.value < point.value)
            }
        })
    }
}

extension SummaryTable {
    /// The sweep as a terminal table, family by family.
    public static func sweep(_ results: [SweepResult]) -> String {
        var rows = [["family", "strategy", "done", "p50 ms", "p99 ms", "mean ms", "KS", "req/doc", "efficiency", "frontier"]]
        let frontier = SweepFrontier.members(results) { $0.latency.meanMilliseconds }
        for (index, entry) in results.enumerated() {
            let (result, model) = (entry.result, entry.result.model)
            rows.append([
                entry.point.familyName, result.strategy.description, "\(result.completed)/\(result.documents)",
                beside(result.latency.milliseconds(atPercentile: 50), model.latencyMilliseconds(atPercentile: 50)),
                beside(result.latency.milliseconds(atPercentile: 99), model.latencyMilliseconds(atPercentile: 99)),
                beside(result.latency.meanMilliseconds, model.latencyMeanMilliseconds),
                result.latencyDistance.map { String(format: "%.3f", $0) } ?? "-",
                beside(result.requestsPerDocument, model.requestsPerDocument, digits: 2),
                String(format: "%.1f%%", result.efficiency * 100), frontier.contains(index) ? "yes" : "",
            ])
        }
        let overhead = RunRecord.HarnessOverhead.measured(in: results.map(\.result)).map { $0.summary + "\n" } ?? ""
        return overhead + render(rows)
            + "Measured (model). Latency is model time; frontier: no other point has both fewer requests per document and a lower mean.\n"
    }
}
