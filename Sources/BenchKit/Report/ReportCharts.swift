import Charts
import SimulationSupport
import Foundation

/// The charts of a run, each drawn from its result files, and each `nil` when the run did not measure what it shows.
enum ReportCharts {
    /// A chart ready to embed and to write beside the report.
    struct Rendered: Sendable {
        /// The file name, such as `tradeoff.svg`.
        var file: String
        var title: String
        /// How to read it, one or two sentences.
        var caption: String
        var svg: String
    }

    static func all(_ run: RunFiles) throws(BenchError) -> [Rendered] {
        [try tradeoff(run), try latency(run), try requests(run), try faults(run), try outages(run), try dbCost(run)].compactMap { $0 }
            + (try sweep(run)) + [try plan(run)].compactMap { $0 }
    }

    static func render(_ make: () throws(ScaleError) -> String, chart: String) throws(BenchError) -> String {
        do {
            return try make()
        } catch {
            throw BenchError("the \(chart) chart cannot be drawn: \(error.description)")
        }
    }

    static func format(_ value: Double, digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

    /// 1. Latency against requests per document, measured beside the model, with the Pareto frontier.
    static func tradeoff(_ run: RunFiles) throws(BenchError) -> Rendered? {
        guard let chart = tradeoffChart(run) else { return nil }
        return Rendered(
            file: "tradeoff.svg",
            title: "Latency against cost",
            caption: "Each strategy's mean and p99 notification latency against the HTTP requests it spends per document, measured (filled) beside its analytic model (hollow). Strategies on the dashed frontier are the ones no other beats on both. " + floorNote,
            svg: try render(chart.svg, chart: "trade-off")
        )
    }

    /// The lowest latency a log-scale chart draws, model ms: a strategy told at once (0 ms, as in virtual time with no
    /// network delay) is drawn there, on the axis's floor, rather than left out.
    static let latencyFloor = 1.0

    /// `milliseconds` as a log-scale latency axis draws it: at least ``latencyFloor``; `nil` for no value.
    static func onLogScale(_ milliseconds: Double?) -> Double? {
        guard let milliseconds, milliseconds >= 0 else { return nil }
        return max(milliseconds, latencyFloor)
    }

    /// Said under every chart whose latency axis is a log scale.
    static let floorNote = "A latency of 0 (told at once) is drawn at 1 ms, the log axis's floor."

    static func tradeoffChart(_ run: RunFiles) -> Chart? {
        guard let scenario = run.mainScenario else { return nil }
        let rows = run.rows(scenario: scenario)
        var chart = Chart(title: "Latency against cost — \(scenario)",
                          x: Axis("HTTP requests per document", .linear),
                          y: Axis("notification latency (model ms, log)", .log))
        chart.subtitle = "Filled: measured; hollow: the model. Lower marker: mean; upper: p99. Line: Pareto frontier of the measured means."
        chart.height = 520
        var frontierCandidates: [(x: Double, y: Double, name: String)] = []
        for (series, row) in rows.enumerated() {
            guard let name = row["strategy"], let requests = row.number("requests_per_doc"), let mean = onLogScale(row.number("latency_mean_ms")),
                let p99 = onLogScale(row.number("latency_p99_ms"))
            else { continue }
            let modelRequests = row.number("model_requests_per_doc")
            let modelMean = onLogScale(row.number("model_latency_mean_ms"))
            let modelP99 = onLogScale(row.number("model_latency_p99_ms"))
            let said = { (column: String) in row.number(column).map { format($0) } ?? "-" }
            let tooltip = "\(name): mean \(said("latency_mean_ms")) ms (model \(said("model_latency_mean_ms"))), p99 \(said("latency_p99_ms")) ms"
                + " (model \(said("model_latency_p99_ms"))), \(format(requests, digits: 2)) requests per document"
                + " (model \(modelRequests.map { format($0, digits: 2) } ?? "-"))"
            chart.lines.append(Line(points: [(requests, mean), (requests, p99)], series: series, width: 1.5, tooltip: tooltip))
            chart.markers.append(Marker(x: requests, y: mean, series: series, tooltip: tooltip))
            chart.markers.append(Marker(x: requests, y: p99, series: series, tooltip: tooltip))
            if let modelRequests, let modelMean {
                let modelTip = "\(name) model: mean \(said("model_latency_mean_ms")) ms, p99 \(said("model_latency_p99_ms")) ms, \(format(modelRequests, digits: 2)) requests per document"
                chart.markers.append(Marker(x: modelRequests, y: modelMean, series: series, filled: false, tooltip: modelTip))
                if let modelP99 {
                    chart.markers.append(Marker(x: modelRequests, y: modelP99, series: series, filled: false, tooltip: modelTip))
                }
            }
            chart.legend.append(LegendEntry(name, series: series, symbol: .marker(filled: true)))
            frontierCandidates.append((requests, mean, name))
        }
        guard !chart.markers.isEmpty else { return nil }
        let frontier = paretoFrontier(frontierCandidates.map { ($0.x, $0.y) })
        if frontier.count > 1 {
            let names = frontierCandidates.filter { candidate in frontier.contains { $0.x == candidate.x && $0.y == candidate.y } }.map(\.name)
            chart.lines.append(Line(points: frontier, series: 0, dashed: true, width: 1.5, ink: true,
                                    tooltip: "Pareto frontier: no other strategy is both cheaper and faster than \(names.joined(separator: ", "))"))
        }
        return chart
    }

    /// The points no other point beats on both coordinates (lower is better on both), by increasing x.
    static func paretoFrontier(_ points: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        var frontier: [(x: Double, y: Double)] = []
        for point in points.sorted(by: { ($0.x, $0.y) < ($1.x, $1.y) }) where frontier.last.map({ point.y < $0.y }) ?? true {
            frontier.append(point)
        }
        return frontier
    }

    /// 2. Each strategy's latency distribution, measured solid and modelled dashed.
    static func latency(_ run: RunFiles) throws(BenchError) -> Rendered? {
        guard let scenario = run.mainScenario, let table = run.latency else { return nil }
        let strategies = run.rows(scenario: scenario).compactMap { $0["strategy"] }
        var chart = Chart(title: "Latency distributions — \(scenario)", x: Axis("notification latency (model ms, log)", .log),
                          y: Axis("share of documents notified", .linear, includingZero: true))
        chart.subtitle = "Solid: measured; dashed: the model."
        chart.height = 520
        let records = table.records.filter { $0["scenario"] == scenario }
        for (series, strategy) in strategies.enumerated() {
            func curve(_ source: String) -> [(x: Double, y: Double)] {
                records.filter { $0["strategy"] == strategy && ($0["source"] ?? "measured") == source }
                    .compactMap { record in
                        guard let percentile = record.number("percentile"), let value = onLogScale(record.number("latency_ms")) else { return nil }
                        return (value, percentile / 100)
                    }
                    .sorted { $0.y < $1.y }
            }
            let measured = curve("measured")
            guard measured.count > 1 else { continue }
            let tooltip = "\(strategy), measured: p50 \(format(measured.first { $0.y >= 0.5 }?.x ?? 0)) ms"
            chart.lines.append(Line(points: measured, series: series, tooltip: tooltip))
            // A marker at each measured percentile: its shape tells apart series that share a colour.
            chart.markers += measured.map { point in
                Marker(x: point.x, y: point.y, series: series, tooltip: "\(strategy): \(format(point.y * 100))% within \(format(point.x)) ms")
            }
            let model = curve("model")
            if model.count > 1 {
                chart.lines.append(Line(points: model, series: series, dashed: true, tooltip: "\(strategy), model: p50 \(format(model.first { $0.y >= 0.5 }?.x ?? 0)) ms"))
            }
            chart.legend.append(LegendEntry(strategy, series: series, symbol: .marker(filled: true)))
        }
        guard !chart.lines.isEmpty else { return nil }
        chart.legend.append(LegendEntry("model (dashed)", series: 7, symbol: .line(dashed: true)))
        return Rendered(
            file: "latency-cdf.svg",
            title: "Latency distributions",
            caption: "For each strategy, the share of documents whose verdict reached our row within a given latency (a curve further left is faster). Dashed curves are the models; a solid curve hugging its dashed one means the strategy behaves as theory says. " + floorNote,
            svg: try render(chart.svg, chart: "latency")
        )
    }

    /// 3. The receiver's update by table size, with and without the index.
    static func dbCost(_ run: RunFiles) throws(BenchError) -> Rendered? {
        guard let records = run.dbcost?.records, !records.isEmpty else { return nil }
        var chart = Chart(title: "DB cost of the receiver's update", x: Axis("rows in document_reviews (log)", .log),
                          y: Axis("time per UPDATE (µs, log)", .log))
        chart.subtitle = "Line: p50; band: p50 to p99. Labels: the index's speed-up at each size."
        func groupName(_ record: [String: String]) -> String {
            "\(record["backend"] ?? "sqlite") \(record["index"] == "with" ? "with" : "without") index"
        }
        var groups: [String] = []
        for record in records where !groups.contains(groupName(record)) {
            groups.append(groupName(record))
        }
        for (series, group) in groups.enumerated() {
            let cells = records.filter { groupName($0) == group }
                .compactMap { record -> (rows: Double, p50: Double, p99: Double, plan: String, speedup: Double?)? in
                    guard let rows = record.number("rows"), let p50 = record.number("p50_us"), let p99 = record.number("p99_us"), p50 > 0 else { return nil }
                    return (rows, p50, max(p99, p50), record["plan"] ?? "", record["index"] == "with" ? record.number("speedup") : nil)
                }
                .sorted { $0.rows < $1.rows }
            guard !cells.isEmpty else { continue }
            chart.bands.append(Band(x: cells.map(\.rows), low: cells.map(\.p50), high: cells.map(\.p99), series: series, tooltip: "\(group): p50 to p99"))
            chart.lines.append(Line(points: cells.map { ($0.rows, $0.p50) }, series: series, tooltip: group))
            for cell in cells {
                chart.markers.append(Marker(x: cell.rows, y: cell.p50, series: series,
                                            tooltip: "\(group), \(Int(cell.rows)) rows: p50 \(format(cell.p50)) µs, p99 \(format(cell.p99)) µs; plan: \(cell.plan)"))
                if let speedup = cell.speedup {
                    chart.labels.append(Label(x: cell.rows, y: cell.p50, text: "×\(format(speedup, digits: 0))", tooltip: "speed-up over the scan at \(Int(cell.rows)) rows"))
                }
            }
            chart.legend.append(LegendEntry(group, series: series, symbol: .marker(filled: true)))
        }
        guard !chart.markers.isEmpty else { return nil }
        return Rendered(
            file: "dbcost.svg",
            title: "DB cost",
            caption: "The receiver's UPDATE … WHERE document_id = ? grows with the table without the index (a full scan) and stays flat with it (a B-tree search). Hover a point for its query plan.",
            svg: try render(chart.svg, chart: "DB cost")
        )
    }

    /// 4. What each fault did to each strategy: documents completed, lost and applied twice.
    static func faults(_ run: RunFiles) throws(BenchError) -> Rendered? {
        let faultRows = run.faultRows
        guard !faultRows.isEmpty else { return nil }
        let bars = faultRows.map { row in
            let completed = row.number("completed") ?? 0
            let lost = row.number("lost") ?? 0
            let twice = row.number("double_applied") ?? 0
            let failed = row.number("submit_failed") ?? 0
            return BarChart.Bar(
                label: "\(row["scenario"] ?? "?") · \(row["strategy"] ?? "?")",
                values: [completed, lost, twice, failed],
                note: lost + twice + failed == 0 ? "all \(Int(completed))" : "lost \(Int(lost)), twice \(Int(twice))"
            )
        }
        let chart = BarChart(title: "Faults: what reached our rows", valueTitle: "documents",
                             keys: ["completed", "lost", "applied twice", "submission failed"], keySeries: [2, 5, 3, 1], bars: bars)
        return Rendered(
            file: "faults.svg",
            title: "Faults",
            caption: "For each fault scenario and strategy, the documents whose verdict reached their row, those lost, and those applied twice (which must be none).",
            svg: try render(chart.svg, chart: "faults")
        )
    }

    /// 4b. How long each receiver outage kept verdicts away: the time after its end until every verdict decided before
    /// the end was in our rows, per strategy.
    static func outages(_ run: RunFiles) throws(BenchError) -> Rendered? {
        guard let table = run.outages, !table.rows.isEmpty else { return nil }
        let bars = table.records.map { row in
            let hours = (row.number("catch_up_s") ?? 0) / 3600
            let model = (row.number("model_catch_up_s") ?? 0) / 3600
            let outage = Duration.seconds(row.number("outage_s") ?? 0).compactDescription
            let unknown = row.number("unknown_at_end") ?? 0
            return BarChart.Bar(
                label: "\(outage) · \(row["strategy"] ?? "?")",
                values: [hours],
                note: "\(format(hours)) h (\(format(model))), \(Int(unknown.rounded())) unknown"
            )
        }
        let chart = BarChart(title: "Receiver outages: time to know every verdict after the outage ends", valueTitle: "hours after the end", keys: ["catch-up"], keySeries: [0], bars: bars)
        return Rendered(
            file: "outages.svg",
            title: "Receiver outages",
            caption: "For each outage of our receiver and each strategy: how long after the outage ended until every verdict decided before the end was in our rows (the model's figure in brackets), and how many were still unknown when it ended (at the day's rate). Webhooks wait for the vendor's next retry, or the replay our app asks for; the hybrid's sweeps and polling do not depend on the receiver.",
            svg: try render(chart.svg, chart: "outages")
        )
    }

    /// 5. Where each strategy's requests go, per document.
    static func requests(_ run: RunFiles) throws(BenchError) -> Rendered? {
        guard let scenario = run.mainScenario else { return nil }
        let bars = run.rows(scenario: scenario).map { row -> BarChart.Bar in
            let documents = max(row.number("documents") ?? 1, 1)
            let statuses = row.number("status_requests") ?? 0
            let notModified = row.number("status_not_modified") ?? 0
            let thin = row.number("thin_fetches") ?? 0
            let attempts = row.number("webhook_attempts") ?? 0
            let retries = row.number("webhook_retries") ?? 0
            let values = [
                row.number("submit_requests") ?? 0, max(0, statuses - notModified - thin), notModified, row.number("event_requests") ?? 0,
                row.number("stream_requests") ?? 0, max(0, attempts - retries), retries, row.number("duplicates_sent") ?? 0, thin,
            ].map { $0 / documents }
            let efficiency = (row.number("efficiency") ?? 0) * 100
            return BarChart.Bar(label: row["strategy"] ?? "?", values: values, note: "\(format(efficiency))% useful")
        }
        guard !bars.isEmpty else { return nil }
        let chart = BarChart(
            title: "Where the requests go — \(scenario)", valueTitle: "HTTP requests per document",
            keys: ["submit", "status 200", "status 304", "event feed", "event stream", "webhook", "webhook retries", "duplicates", "thin fetches"],
            bars: bars
        )
        return Rendered(
            file: "requests.svg",
            title: "Where the requests go",
            caption: "HTTP requests per document by kind, and the share of learning requests that changed a row (Zapier published 1.5 % for its own polling).",
            svg: try render(chart.svg, chart: "requests")
        )
    }
}
