import Foundation
import SimulationSupport

/// The readable tables a run prints.
public enum SummaryTable {
    /// Zapier's published share of its polls that found an update.
    public static let zapierPollingEfficiency = 0.015

    public static func strategies(_ results: [StrategyResult]) -> String {
        var rows = [[
            "scenario", "strategy", "done", "lost", "twice", "p50 ms", "p99 ms", "mean ms", "KS", "req/doc", "wasted",
            "efficiency", "cpu ms/doc", "submit p99 ms",
        ]]
        for result in results {
            let model = result.model
            rows.append([
                result.scenario, result.strategy.description + availabilityMark(result.offered), "\(result.completed)/\(result.documents)",
                String(result.lost) + (model.lostShare > 0 ? " (\(format(model.lostShare * Double(result.documents))))" : ""),
                String(result.doubleApplied),
                beside(result.latency.milliseconds(atPercentile: 50), model.latencyMilliseconds(atPercentile: 50)),
                beside(result.latency.milliseconds(atPercentile: 99), model.latencyMilliseconds(atPercentile: 99)),
                beside(result.latency.meanMilliseconds, model.latencyMeanMilliseconds),
                result.latencyDistance.map { format($0, digits: 3) } ?? "-",
                beside(result.requestsPerDocument, model.requestsPerDocument, digits: 2),
                String(result.wastedRequests), String(format: "%.1f%%", result.efficiency * 100),
                format(result.cpuMillisecondsPerDocument, digits: 2),
                format(result.submissions.latency.milliseconds(atPercentile: 99)) + (result.submissions.saturated ? " SATURATED" : ""),
            ])
        }
        let clocks = Set(results.map(\.clock))
        let latencyNote = clocks == [.virtual]
            ? "Latency is model time on a virtual clock: the strategies' own, whatever the machine costs (the line above)"
            : clocks == [.wall] ? "Latency is model time (wall time × 1 / time scale)"
            : "Latency is model time (virtual clock, or wall time × 1 / time scale on the wall clock)"
        var notes = "Measured (model). \(latencyNote); KS is the Kolmogorov-Smirnov distance "
            + "between the measured and modelled latency distributions. Zapier reported 1.5% efficiency for its own polling.\n"
        let networks = Set(results.map(\.network.description)).sorted()
        if networks != ["0s"] {
            notes += "One-way network delay between our app and the Help Desk, model time: \(networks.joined(separator: ", ")).\n"
        }
        let stepped = results.compactMap(\.stepper)
        if let slowest = stepped.map(\.eventsPerWallSecond).min(), let fastest = stepped.map(\.eventsPerWallSecond).max() {
            let model = stepped.reduce(0) { $0 + $1.model.secondsValue }
            let (steps, events) = (stepped.reduce(0) { $0 + $1.steps }, stepped.reduce(0) { $0 + $1.events })
            notes += "Virtual clock: \(format(model, digits: 0)) model s in \(steps) steps, \(events) events; each run stepped "
                + "\(format(slowest, digits: 0))-\(format(fastest, digits: 0)) events a wall second (wall_s, events_per_wall_s).\n"
        }
        for result in results {
            guard let incomplete = result.incomplete else { continue }
            notes += "\(result.scenario) \(result.strategy): INCOMPLETE, its figures are partial: \(incomplete)\n"
        }
        for result in results where result.submissions.failed > 0 {
            notes += "\(result.scenario) \(result.strategy): \(result.submissions.failed) submissions failed, first: \(result.submissions.firstFailure ?? "-")\n"
        }
        for result in results where result.instances > 1 {
            notes += "\(result.scenario) \(result.strategy): \(result.instances) instances, \(result.documentsPolledTwice) documents polled by two at once, "
                + "\(result.documentsHandedOver) handed over from one to another\n"
        }
        for result in results where result.submissions.saturated {
            notes += "\(result.scenario) \(result.strategy): SATURATED, arrivals outpaced the system (peak backlog \(result.submissions.peakBacklog) "
                + "submissions, last answered \(format(result.submissions.drainAfterLastArrival.secondsValue, digits: 1)) s after the last arrival)\n"
        }
        let header = RunRecord.HarnessOverhead.measured(in: results).map { $0.summary + "\n" } ?? ""
        return header + render(rows) + notes
    }

    /// A measured figure with the model's beside it, in parentheses.
    static func beside(_ measured: Double, _ model: Double, digits: Int = 1) -> String {
        "\(format(measured, digits: digits)) (\(format(model, digits: digits)))"
    }

    public static func dbCost(_ cells: [DBCostCell]) -> String {
        var rows = [["backend", "rows", "index", "statements", "p50 µs", "p99 µs", "mean µs", "speed-up", "plan"]]
        for cell in cells {
            rows.append([
                cell.backend, String(cell.rows), cell.indexed ? "with" : "without", String(cell.statements), format(cell.p50Microseconds),
                format(cell.p99Microseconds), format(cell.meanMicroseconds), format(cell.speedup, digits: 1) + "x", cell.plan,
            ])
        }
        return render(rows)
    }

    public static func transport(_ results: [TransportResult]) -> String {
        var rows = [["transport", "concurrency", "req/s", "p50 ms", "p99 ms", "errors", "cpu µs/req", "poll-fixed:1s done", "mean ms", "extra wall ms"]]
        for result in results {
            let poll = result.pollFixed
            rows.append([
                result.transport.rawValue, String(result.concurrency), format(result.requestsPerSecond),
                format(result.latency.milliseconds(atPercentile: 50), digits: 3), format(result.latency.milliseconds(atPercentile: 99), digits: 3),
                String(result.errors), format(result.cpuMicrosecondsPerRequest, digits: 1),
                poll.map { "\($0.completed)/\($0.documents)" } ?? "-",
                poll.map { "\(format($0.latencyMeanMilliseconds)) (\(format($0.modelMeanMilliseconds)))" } ?? "-",
                poll?.extraWallMilliseconds.map { format($0, digits: 2) } ?? "-",
            ])
        }
        return render(rows) + "CPU is the whole process's, the Help Desk's side included (the same for both transports). The poll-fixed:1s "
            + "mean is model time (model in parentheses); extra is its mean over the first transport's, in wall milliseconds: "
            + "the review delays are seeded, the same in both runs.\n"
    }

    public static func receiver(_ result: ReceiverResult) -> String {
        var rows = [["phase", "req/s", "share", "p50 ms", "p99 ms", "max ms", "non-2xx", "errors", "server µs/req", "load µs/req", "RSS MB"]]
        for phase in [result.ceiling, result.receiver] {
            let load = phase.load
            let ok = load.successfulInWindow
            rows.append([
                phase.name, format(load.requestsPerSecond, digits: 0),
                phase.name == "receiver" ? String(format: "%.0f%%", result.ratio * 100) : "100%",
                format(load.latencyP50Microseconds / 1000, digits: 2), format(load.latencyP99Microseconds / 1000, digits: 2),
                format(load.latencyMaxMicroseconds / 1000, digits: 2), String(load.requests - ok), String(load.errors),
                format(phase.serverCPUMicrosecondsPerRequest), format(phase.loadCPUMicrosecondsPerRequest),
                phase.residentBytes.map { format(Double($0) / 1_048_576, digits: 0) } ?? "-",
            ])
        }
        var text = render(rows)
        text += "\(result.rows) pending rows, \(result.connections) connections; \(result.committed) deliveries committed "
            + "(\(result.applied) applied, \(result.alreadyApplied) already applied) "
            + "in \(result.commits) transactions; one signature verification took \(format(result.signatureMicroseconds, digits: 2)) µs.\n"
        if let wrk = result.wrkRequestsPerSecond {
            text += String(format: "wrk on the ceiling route: %.0f req/s; our load generator reached %.0f%% of it.\n",
                           wrk, result.ceiling.load.requestsPerSecond / wrk * 100)
        }
        return text
    }

    private static func format(_ value: Double, digits: Int = 1) -> String {
        value.isFinite ? String(format: "%.\(digits)f", value) : "-"
    }

    /// Left-aligned text columns, two spaces apart.
    public static func render(_ rows: [[String]]) -> String {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }
}
