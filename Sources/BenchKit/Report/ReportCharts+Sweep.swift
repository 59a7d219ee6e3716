import Charts
import Foundation

extension ReportCharts {
    /// The sweep's trade-off, once for the mean latency and once for the p99: each polling family's curve across its
    /// parameter, measured (solid) and modelled (dashed), the references as single points, the frontier marked.
    static func sweep(_ run: RunFiles) throws(BenchError) -> [Rendered] {
        guard let table = run.sweep, !table.rows.isEmpty else { return [] }
        var rendered: [Rendered] = []
        for (statistic, column, file) in [("mean", "latency_mean_ms", "sweep-mean.svg"), ("p99", "latency_p99_ms", "sweep-p99.svg")] {
            guard let chart = sweepChart(table.records, statistic: statistic, column: column) else { continue }
            rendered.append(Rendered(
                file: file,
                title: "Sweep: \(statistic) latency against cost",
                caption: "Each polling family across its parameter (interval, backoff's initial delay, long-poll's wait): \(statistic) notification latency against HTTP requests per document, measured (solid, filled) and modelled (dashed, hollow), with webhook, webhook-thin, hybrid and sse as reference points. poll-conditional's points fall on poll-fixed's: the same polls at the same times (its 304s save bytes, not requests). The thick dashed line is the measured frontier: no point is both cheaper and faster than the points on it. \(floorNote)",
                svg: try render(chart.svg, chart: "sweep \(statistic)")
            ))
        }
        return rendered
    }

    static func sweepChart(_ records: [[String: String]], statistic: String, column: String) -> Chart? {
        var chart = Chart(title: "Sweep: \(statistic) latency against cost", x: Axis("HTTP requests per document (log)", .log),
                          y: Axis("\(statistic) notification latency (model ms, log)", .log))
        chart.subtitle = "Solid and filled: measured; dashed and hollow: the model. Thick dashed line: the measured frontier."
        chart.height = 560
        var groups: [String] = []
        for record in records where !groups.contains(record["family"] ?? "") { groups.append(record["family"] ?? "") }
        var series = 0
        var frontier: [(x: Double, y: Double, name: String)] = []
        for group in groups {
            let members = records.filter { ($0["family"] ?? "") == group }
            let entries = group == "reference" ? members.map { [$0] } : [members.sorted { ($0.number("parameter_s") ?? 0) < ($1.number("parameter_s") ?? 0) }]
            for entry in entries {
                let name = group == "reference" ? (entry.first?["strategy"] ?? "reference") : group
                var measured: [(x: Double, y: Double)] = []
                var modelled: [(x: Double, y: Double)] = []
                for record in entry {
                    guard let strategy = record["strategy"], let requests = record.number("requests_per_doc"), let value = onLogScale(record.number(column)) else { continue }
                    let modelRequests = record.number("model_requests_per_doc")
                    let modelValue = onLogScale(record.number("model_" + column))
                    let said = { (column: String) in record.number(column).map { format($0) } ?? "-" }
                    let tooltip = "\(strategy): \(statistic) \(said(column)) ms (model \(said("model_" + column))), "
                        + "\(format(requests, digits: 2)) requests per document (model \(modelRequests.map { format($0, digits: 2) } ?? "-"))"
                    measured.append((requests, value))
                    chart.markers.append(Marker(x: requests, y: value, series: series, tooltip: tooltip))
                    if record["frontier_" + statistic] == "1" { frontier.append((requests, value, strategy)) }
                    if let modelRequests, let modelValue {
                        modelled.append((modelRequests, modelValue))
                        chart.markers.append(Marker(x: modelRequests, y: modelValue, series: series, filled: false, tooltip: "\(strategy) model: \(statistic) \(said("model_" + column)) ms, \(format(modelRequests, digits: 2)) requests per document"))
                    }
                }
                guard !measured.isEmpty else { continue }
                if measured.count > 1 { chart.lines.append(Line(points: measured, series: series, tooltip: "\(name), measured")) }
                if modelled.count > 1 { chart.lines.append(Line(points: modelled, series: series, dashed: true, width: 1.5, tooltip: "\(name), model")) }
                chart.legend.append(LegendEntry(name, series: series, symbol: .marker(filled: true)))
                series += 1
            }
        }
        guard !chart.markers.isEmpty else { return nil }
        let line = frontier.sorted { $0.x < $1.x }
        if line.count > 1 {
            chart.lines.append(Line(points: line.map { ($0.x, $0.y) }, series: 0, dashed: true, width: 3, ink: true,
                                    tooltip: "measured frontier: \(line.map(\.name).joined(separator: ", "))"))
            chart.legend.append(LegendEntry("measured frontier", series: 0, symbol: .line(dashed: true), ink: true))
        }
        return chart
    }
}
