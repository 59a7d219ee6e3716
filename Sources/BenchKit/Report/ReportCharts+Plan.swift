import Charts
import Foundation

extension ReportCharts {
    /// The plan's trade-off at the user's scale: p99 latency against requests per day, each family's model across its
    /// parameter, the strategies compared, each family's cheapest member meeting the target, and the target.
    static func plan(_ run: RunFiles) throws(BenchError) -> Rendered? {
        guard let table = run.plan, !table.rows.isEmpty else { return nil }
        let records = table.records
        var chart = Chart(title: "Plan: p99 latency against requests per day", x: Axis("HTTP requests per day (log)", .log),
                          y: Axis("p99 notification latency (s, log)", .log))
        chart.subtitle = "The model at your volume. Dashed: families across their parameter; filled: compared; rings: cheapest meeting the target; bottom: told at once."
        chart.height = 560
        let positive = records.compactMap { $0.number("latency_p99_s") }.filter { $0 > 0 }
        // Told at once: p99 0, drawn on a floor below every wait.
        let floor = pow(10, (log10(positive.min() ?? 1) - 1).rounded(.down))
        var families: [String] = []
        for record in records where record["role"] == "curve" && !families.contains(record["family"] ?? "") { families.append(record["family"] ?? "") }
        for (series, family) in families.enumerated() {
            let points = records.filter { $0["role"] == "curve" && $0["family"] == family }
                .compactMap { record -> (x: Double, y: Double)? in
                    guard let requests = record.number("requests_per_day"), let p99 = record.number("latency_p99_s"), requests > 0 else { return nil }
                    return (requests, max(p99, floor))
                }
                .sorted { $0.x < $1.x }
            guard points.count > 1 else { continue }
            chart.lines.append(Line(points: points, series: series, dashed: true, width: 1.5, tooltip: "\(family) across its parameter (model)"))
            chart.legend.append(LegendEntry(family, series: series, symbol: .line(dashed: true)))
        }
        // A family's members take its colour (filled when compared, a ring when the cheapest meeting the target);
        // every other strategy a colour of its own. Points at the same place share one label; strategies told at
        // once sit on the floor, named by the legend and their tooltips.
        var series = families.count
        var hasVerify = false
        var labels: [String: (x: Double, y: Double, names: [String], tooltip: String)] = [:]
        var labelOrder: [String] = []
        for record in records where record["role"] != "curve" {
            guard let strategy = record["strategy"], let requests = record.number("requests_per_day"), let p99 = record.number("latency_p99_s"), requests > 0 else { continue }
            let cheapest = record["role"] == "cheapest"
            let tooltip = "\(strategy)\(cheapest ? " (cheapest meeting the target)" : ""): p99 \(format(p99, digits: 2)) s, mean \(format(record.number("latency_mean_s") ?? 0, digits: 2)) s, "
                + "\(format(requests, digits: 0)) requests per day" + (record["throttled"] == "1" ? ", THROTTLED at the busiest hour" : "")
            let own: Int
            if let family = families.firstIndex(of: record["family"] ?? "") {
                own = family
            } else {
                own = series
                chart.legend.append(LegendEntry(strategy, series: series, symbol: .marker(filled: true)))
                series += 1
            }
            chart.markers.append(Marker(x: requests, y: max(p99, floor), series: own, filled: !cheapest, tooltip: tooltip))
            // With --verify, a thin black line from the model to what the run measured, ended by a ring.
            if let measuredRequests = record.number("verify_requests_per_day"), let measuredP99 = record.number("verify_latency_p99_s"), measuredRequests > 0 {
                let measured = (x: measuredRequests, y: max(measuredP99, floor))
                let flags = record["verify_flags"] ?? ""
                let verified = "\(strategy) measured in virtual time on \(record["verify_documents"] ?? "?") documents: p99 \(format(measuredP99, digits: 2)) s, "
                    + "\(format(measuredRequests, digits: 0)) requests per day" + (flags.isEmpty ? ", as the model" : " (\(flags))")
                chart.lines.append(Line(points: [(requests, max(p99, floor)), measured], series: own, width: 1, ink: true, tooltip: verified))
                chart.markers.append(Marker(x: measured.x, y: measured.y, series: own, filled: false, tooltip: verified))
                hasVerify = true
            }
            guard p99 > 0 else { continue }
            let key = "\(format(log10(requests), digits: 3)) \(format(log10(p99), digits: 3))"
            if labels[key] == nil {
                labels[key] = (requests, p99, [], tooltip)
                labelOrder.append(key)
            }
            if !(labels[key]?.names.contains(strategy) ?? true) { labels[key]?.names.append(strategy) }
        }
        for key in labelOrder {
            guard let label = labels[key] else { continue }
            chart.labels.append(Label(x: label.x, y: label.y, text: label.names.joined(separator: " = "), tooltip: label.tooltip))
        }
        if let target = records.lazy.compactMap({ $0.number("target_p99_s") }).first, let low = chart.markers.map(\.x).min(), let high = chart.markers.map(\.x).max() {
            chart.lines.append(Line(points: [(low, target), (high, target)], series: 0, dashed: true, width: 1, ink: true, tooltip: "target p99: \(format(target, digits: 1)) s"))
            chart.legend.append(LegendEntry("target p99", series: 0, symbol: .line(dashed: true), ink: true))
        }
        guard !chart.markers.isEmpty else { return nil }
        if hasVerify {
            chart.subtitle = "Model: dashed families, filled compared, rings cheapest meeting the target. Black lines lead to what --verify measured (a ring)."
            chart.legend.append(LegendEntry("measured (--verify)", series: 0, symbol: .line(dashed: false), ink: true))
        }
        return Rendered(
            file: "plan.svg",
            title: "Plan at your volume",
            caption: "What each strategy would cost (HTTP requests a day, learning and submitting) and how late it would tell you (p99), by the analytic model at your volume and review delays. Dashed curves follow each polling family across its parameter (poll-conditional's lies on poll-fixed's: the same polls, its 304s save bytes); rings are each family's cheapest member whose p99 meets the target (the black dashed line). Strategies told at once (p99 0) sit on the bottom edge.",
            svg: try render(chart.svg, chart: "plan")
        )
    }
}
