import Foundation
import SimulationSupport

/// The files a run writes: `summary.csv`, `latency.csv`, `dbcost.csv`, `receiver.csv` and `run.json`. Their columns are a public
/// interface, explained in `results/README.md`.
public enum ResultFiles {
    public static let summaryColumns = [
        "scenario", "strategy", "documents", "completed", "lost", "accepted", "declined",
        "latency_p50_ms", "latency_p90_ms", "latency_p99_ms", "latency_p999_ms", "latency_max_ms", "latency_mean_ms",
        "model_latency_mean_ms", "latency_ratio",
        "requests_total", "requests_per_doc", "model_requests_per_doc", "requests_ratio",
        "submit_requests", "status_requests", "event_requests", "webhook_attempts", "webhook_retries", "duplicates_sent",
        "thin_fetches", "learning_requests", "wasted_requests", "efficiency", "duplicates_suppressed", "conflicts",
        "double_applied", "wrong_verdicts",
        "bytes_sent", "bytes_received", "db_statements", "db_time_ms", "cpu_user_s", "cpu_sys_s",
        "wall_s", "model_s", "time_scale",
        "submit_failed", "submit_p50_ms", "submit_p99_ms", "peak_backlog", "saturated", "cpu_ms_per_doc", "peak_rss_mb",
        "model_latency_p50_ms", "model_latency_p90_ms", "model_latency_p99_ms", "latency_ks", "model_lost",
        "latency_p50_wall_ms", "latency_p99_wall_ms", "status_not_modified",
        "stream_requests", "stream_events", "stream_heartbeats", "stream_bytes_per_doc", "model_stream_bytes_per_doc",
        "instances", "documents_polled_twice", "documents_handed_over",
        "clock", "network_delay_ms", "steps", "model_events", "events_per_wall_s", "wall_s_per_model_day", "incomplete",
        "model_draws_latency_mean_ms", "model_draws_requests_per_doc", "latency_ks_draws", "offered",
    ]

    public static let latencyColumns = ["scenario", "strategy", "percentile", "latency_ms", "source"]

    public static let dbCostColumns = ["backend", "rows", "index", "statements", "p50_us", "p99_us", "mean_us", "plan", "speedup"]

    public static let receiverColumns = [
        "phase", "rows", "connections", "window_s", "requests", "req_per_s", "ratio_to_ceiling",
        "latency_p50_ms", "latency_p90_ms", "latency_p99_ms", "latency_max_ms", "latency_mean_ms",
        "status_2xx", "status_other", "errors", "server_cpu_us_per_req", "load_cpu_us_per_req", "rss_mb", "peak_rss_mb",
        "committed", "applied", "already_applied", "wrk_req_per_s", "signature_us",
    ]

    public static func receiver(_ result: ReceiverResult) -> CSVTable {
        var table = CSVTable(columns: receiverColumns)
        for phase in [result.ceiling, result.receiver] {
            let load = phase.load
            let ok = load.successfulInWindow
            let isReceiver = phase.name == "receiver"
            let megabytes = { (bytes: UInt64?) in bytes.map { CSVTable.number(Double($0) / 1_048_576, digits: 1) } ?? "" }
            table.append([
                phase.name, String(result.rows), String(result.connections), CSVTable.number(load.windowSeconds),
                String(load.requests), CSVTable.number(load.requestsPerSecond, digits: 1),
                isReceiver ? CSVTable.number(result.ratio, digits: 4) : "1",
                CSVTable.number(load.latencyP50Microseconds / 1000), CSVTable.number(load.latencyP90Microseconds / 1000),
                CSVTable.number(load.latencyP99Microseconds / 1000), CSVTable.number(load.latencyMaxMicroseconds / 1000),
                CSVTable.number(load.latencyMeanMicroseconds / 1000),
                String(ok), String(load.requests - ok), String(load.errors),
                CSVTable.number(phase.serverCPUMicrosecondsPerRequest, digits: 2), CSVTable.number(phase.loadCPUMicrosecondsPerRequest, digits: 2),
                megabytes(phase.residentBytes), megabytes(phase.peakResidentBytes),
                isReceiver ? String(result.committed) : "", isReceiver ? String(result.applied) : "",
                isReceiver ? String(result.alreadyApplied) : "",
                isReceiver ? "" : (result.wrkRequestsPerSecond.map { CSVTable.number($0, digits: 1) } ?? ""),
                isReceiver ? CSVTable.number(result.signatureMicroseconds, digits: 3) : "",
            ])
        }
        return table
    }

    public static let transportColumns = [
        "transport", "concurrency", "window_s", "requests", "errors", "req_per_s", "latency_p50_ms", "latency_p99_ms",
        "latency_mean_ms", "cpu_us_per_req", "poll_fixed_completed", "poll_fixed_mean_ms", "poll_fixed_model_mean_ms",
        "poll_fixed_extra_wall_ms",
    ]

    public static func transport(_ results: [TransportResult]) -> CSVTable {
        var table = CSVTable(columns: transportColumns)
        for result in results {
            let poll = result.pollFixed
            table.append([
                result.transport.rawValue, String(result.concurrency), CSVTable.number(result.seconds), String(result.requests),
                String(result.errors), CSVTable.number(result.requestsPerSecond, digits: 1),
                CSVTable.number(result.latency.milliseconds(atPercentile: 50)), CSVTable.number(result.latency.milliseconds(atPercentile: 99)),
                CSVTable.number(result.latency.meanMilliseconds), CSVTable.number(result.cpuMicrosecondsPerRequest, digits: 2),
                poll.map { "\($0.completed)/\($0.documents)" } ?? "", poll.map { CSVTable.number($0.latencyMeanMilliseconds) } ?? "",
                poll.map { CSVTable.number($0.modelMeanMilliseconds) } ?? "", poll?.extraWallMilliseconds.map { CSVTable.number($0) } ?? "",
            ])
        }
        return table
    }

    public static func summary(_ results: [StrategyResult]) -> CSVTable {
        var table = CSVTable(columns: summaryColumns)
        let number = { (value: Double) in CSVTable.number(value) }
        for result in results {
            let latency = result.latency
            table.append([
                result.scenario, result.strategy.description, String(result.documents), String(result.completed), String(result.lost),
                String(result.accepted), String(result.declined),
                number(latency.milliseconds(atPercentile: 50)), number(latency.milliseconds(atPercentile: 90)),
                number(latency.milliseconds(atPercentile: 99)), number(latency.milliseconds(atPercentile: 99.9)),
                number(latency.maxMilliseconds), number(latency.meanMilliseconds),
                number(result.model.latencyMeanMilliseconds), result.latencyRatio.map(number) ?? "",
                String(result.requestsTotal), number(result.requestsPerDocument), number(result.model.requestsPerDocument),
                number(result.requestsRatio),
                String(result.submitRequests), String(result.statusRequests), String(result.eventRequests),
                String(result.webhookAttempts), String(result.webhookRetries), String(result.duplicatesSent),
                String(result.thinFetches), String(result.learningRequests), String(result.wastedRequests),
                CSVTable.number(result.efficiency, digits: 4), String(result.duplicatesSuppressed), String(result.conflicts),
                String(result.doubleApplied), String(result.wrongVerdicts),
                String(result.bytesSent), String(result.bytesReceived), String(result.dbStatements),
                number(result.dbTime.millisecondsValue), number(result.cpu.user), number(result.cpu.system),
                number(result.wallDuration.secondsValue), number(result.modelDuration.secondsValue), CSVTable.number(result.timeScale, digits: 6),
                String(result.submissions.failed), number(result.submissions.latency.milliseconds(atPercentile: 50)),
                number(result.submissions.latency.milliseconds(atPercentile: 99)), String(result.submissions.peakBacklog),
                result.submissions.saturated ? "1" : "0", number(result.cpuMillisecondsPerDocument),
                result.peakResidentBytes.map { CSVTable.number(Double($0) / 1_048_576, digits: 1) } ?? "",
                number(result.model.latencyMilliseconds(atPercentile: 50)), number(result.model.latencyMilliseconds(atPercentile: 90)),
                number(result.model.latencyMilliseconds(atPercentile: 99)), result.latencyDistance.map { CSVTable.number($0, digits: 4) } ?? "",
                number(result.model.lostShare * Double(result.documents)),
                number(result.wallLatencyMilliseconds(atPercentile: 50)), number(result.wallLatencyMilliseconds(atPercentile: 99)),
                String(result.statusNotModified),
                String(result.streamRequests), String(result.streamEvents), String(result.streamHeartbeats),
                number(result.streamBytesPerDocument), result.model.streamBytesPerDocument.map(number) ?? "",
                String(result.instances), String(result.documentsPolledTwice), String(result.documentsHandedOver),
                result.clock.rawValue, number(result.network.mean.millisecondsValue),
                result.stepper.map { String($0.steps) } ?? "", result.stepper.map { String($0.events) } ?? "",
                result.stepper.map { CSVTable.number($0.eventsPerWallSecond, digits: 0) } ?? "",
                result.stepper.map { number($0.wallSecondsPerModelDay) } ?? "",
                result.incomplete ?? "",
                result.modelOnDraws.map { number($0.latencyMeanMilliseconds) } ?? "",
                result.modelOnDraws.map { number($0.requestsPerDocument) } ?? "",
                result.latencyDistanceOnDraws.map { CSVTable.number($0, digits: 4) } ?? "",
                result.offered?.column ?? "",
            ])
        }
        return table
    }

    public static func latency(_ results: [StrategyResult]) -> CSVTable {
        var table = CSVTable(columns: latencyColumns)
        for result in results {
            for (percentile, value) in zip(LatencySummary.percentiles, result.latency.percentileMilliseconds) {
                table.append([result.scenario, result.strategy.description, CSVTable.number(percentile), CSVTable.number(value), "measured"])
            }
            table.append([result.scenario, result.strategy.description, "100", CSVTable.number(result.latency.maxMilliseconds), "measured"])
            for percentile in LatencySummary.percentiles + [100] {
                table.append([result.scenario, result.strategy.description, CSVTable.number(percentile),
                              CSVTable.number(result.model.latencyMilliseconds(atPercentile: percentile)), "model"])
            }
        }
        return table
    }

    public static func dbCost(_ cells: [DBCostCell]) -> CSVTable {
        var table = CSVTable(columns: dbCostColumns)
        for cell in cells {
            table.append([
                cell.backend, String(cell.rows), cell.indexed ? "with" : "without", String(cell.statements),
                CSVTable.number(cell.p50Microseconds), CSVTable.number(cell.p99Microseconds), CSVTable.number(cell.meanMicroseconds),
                cell.plan, CSVTable.number(cell.speedup, digits: 2),
            ])
        }
        return table
    }

    /// Writes whatever the run produced into `directory`, creating it.
    public static func write(
        to directory: URL,
        results: [StrategyResult],
        dbCost: [DBCostCell],
        receiver: ReceiverResult? = nil,
        transport: [TransportResult] = [],
        run: RunRecord
    ) throws {
        var tables: [(file: String, table: CSVTable)] = []
        if !results.isEmpty {
            tables += [("summary.csv", summary(results)), ("latency.csv", latency(results))]
        }
        if !dbCost.isEmpty { tables.append(("dbcost.csv", ResultFiles.dbCost(dbCost))) }
        if let receiver { tables.append(("receiver.csv", ResultFiles.receiver(receiver))) }
        if !transport.isEmpty { tables.append(("transport.csv", ResultFiles.transport(transport))) }
        try write(to: directory, tables: tables, run: run)
    }

    /// Writes named tables and `run.json` into `directory`, creating it.
    public static func write(to directory: URL, tables: [(file: String, table: CSVTable)], run: RunRecord) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (file, table) in tables {
            try table.text.write(to: directory.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(run).write(to: directory.appendingPathComponent("run.json"))
    }
}
