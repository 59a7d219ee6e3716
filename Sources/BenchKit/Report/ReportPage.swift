import Foundation
import Mustache

/// `report.html`: one self-contained page (inline style and SVG, nothing fetched) with the run's facts, its charts and
/// its tables. Rendered through a Mustache template, which escapes every value that reaches the page; the charts are
/// inserted as the SVG the chart module wrote, which escapes its own text.
enum ReportPage {
    static func html(_ run: RunFiles, charts: [ReportCharts.Rendered]) throws(BenchError) -> String {
        let template: MustacheTemplate
        do {
            template = try MustacheTemplate(string: Self.template)
        } catch {
            throw BenchError("the report template does not parse: \(error)")
        }
        return template.render(context(run, charts: charts))
    }

    private static func context(_ run: RunFiles, charts: [ReportCharts.Rendered]) -> [String: Any] {
        var facts: [[String: String]] = []
        if let record = run.record {
            let machine = record.machine
            facts = [
                ["name": "command", "value": record.command],
                ["name": "seed", "value": String(record.seed)],
                ["name": "time scale", "value": record.parameters["clock"] == RunClock.virtual.rawValue ? "none: virtual clock" : String(record.timeScale)],
                ["name": "revision", "value": record.gitRevision],
                ["name": "started", "value": ISO8601DateFormatter().string(from: record.startedAt)],
                ["name": "duration", "value": String(format: "%.1f s", record.durationSeconds)],
                ["name": "machine", "value": "\(machine.cores) cores, \(machine.memoryBytes / 1_073_741_824) GiB, \(machine.os), \(machine.swift)"],
            ]
            if let overhead = record.harnessOverhead {
                facts.append(["name": "harness overhead", "value": String(
                    format: "p50 %.2f ms, p99 %.2f ms of wall time (%@ webhook: Help Desk decision to row committed)",
                    overhead.p50WallMilliseconds, overhead.p99WallMilliseconds, overhead.scenario)])
            }
            facts += record.parameters.sorted { $0.key < $1.key }.map { ["name": $0.key, "value": $0.value] }
        }
        return [
            "folder": run.directory.lastPathComponent,
            "facts": facts,
            "charts": charts.map { ["title": $0.title, "caption": $0.caption, "svg": $0.svg, "file": $0.file] },
            "tables": tables(run),
        ]
    }

    /// The summary, receiver and DB cost tables, a selection of columns each.
    private static func tables(_ run: RunFiles) -> [[String: Any]] {
        var tables: [[String: Any]] = []
        func add(
            _ title: String, _ table: CSVTable?, _ columns: [(header: String, column: String)],
            where keep: ([String: String]) -> Bool = { _ in true }
        ) {
            guard let table, !table.rows.isEmpty else { return }
            let present = columns.filter { table.columns.contains($0.column) }
            tables.append([
                "title": title,
                "headers": present.map(\.header),
                "rows": table.records.filter(keep).map { record in ["cells": present.map { record[$0.column] ?? "" }] },
            ])
        }
        add("Strategies", run.summary, [
            ("scenario", "scenario"), ("strategy", "strategy"), ("done", "completed"), ("lost", "lost"), ("twice", "double_applied"),
            ("p50 ms", "latency_p50_ms"), ("model p50", "model_latency_p50_ms"), ("p99 ms", "latency_p99_ms"), ("model p99", "model_latency_p99_ms"),
            ("mean ms", "latency_mean_ms"), ("model mean", "model_latency_mean_ms"), ("KS", "latency_ks"), ("req/doc", "requests_per_doc"),
            ("model req/doc", "model_requests_per_doc"), ("efficiency", "efficiency"), ("cpu ms/doc", "cpu_ms_per_doc"),
            ("submit p99 ms", "submit_p99_ms"), ("saturated", "saturated"),
        ])
        add("Receiver against its server's ceiling", run.receiver, [
            ("phase", "phase"), ("req/s", "req_per_s"), ("share", "ratio_to_ceiling"), ("p50 ms", "latency_p50_ms"), ("p99 ms", "latency_p99_ms"),
            ("server µs/req", "server_cpu_us_per_req"), ("committed", "committed"), ("wrk req/s", "wrk_req_per_s"),
            ("signature µs", "signature_us"),
        ])
        add("Help Desk client transports", run.transport, [
            ("transport", "transport"), ("concurrency", "concurrency"), ("req/s", "req_per_s"), ("p50 ms", "latency_p50_ms"),
            ("p99 ms", "latency_p99_ms"), ("cpu µs/req", "cpu_us_per_req"), ("poll-fixed:1s done", "poll_fixed_completed"),
            ("poll-fixed:1s extra, wall ms", "poll_fixed_extra_wall_ms"),
        ])
        add("Sweep: each polling family across its parameter, measured beside the model", run.sweep, [
            ("family", "family"), ("strategy", "strategy"), ("done", "completed"), ("lost", "lost"),
            ("p50 ms", "latency_p50_ms"), ("model p50", "model_latency_p50_ms"), ("p99 ms", "latency_p99_ms"), ("model p99", "model_latency_p99_ms"),
            ("mean ms", "latency_mean_ms"), ("model mean", "model_latency_mean_ms"), ("KS", "latency_ks"), ("req/doc", "requests_per_doc"),
            ("model req/doc", "model_requests_per_doc"), ("efficiency", "efficiency"), ("frontier (mean)", "frontier_mean"),
            ("frontier (p99)", "frontier_p99"),
        ])
        add("Plan at the user's volume (the analytic model)", run.plan, [
            ("strategy", "strategy"), ("role", "role"), ("requests/day", "requests_per_day"), ("learning/day", "learning_requests_per_day"),
            ("wasted/day", "wasted_requests_per_day"), ("efficiency", "efficiency"), ("p50 s", "latency_p50_s"), ("p99 s", "latency_p99_s"),
            ("mean s", "latency_mean_s"), ("DB writes/day", "db_writes_per_day"), ("lost/day", "lost_per_day"),
            ("peak reads/s", "peak_reads_per_s"), ("limit/s", "rate_limit_per_s"), ("throttled", "throttled"), ("meets target", "meets_target"),
        ], where: { $0["role"] != "curve" })
        if run.plan?.columns.contains("verify_documents") == true {
            add("Plan verified in virtual time: measured beside the model on the same documents", run.plan, [
                ("strategy", "strategy"), ("documents", "verify_documents"), ("scale", "verify_scale"),
                ("model req/doc", "verify_model_requests_per_doc"), ("req/doc", "verify_requests_per_doc"), ("requests/day", "verify_requests_per_day"),
                ("model mean s", "verify_model_latency_mean_s"), ("mean s", "verify_latency_mean_s"),
                ("model p99 s", "verify_model_latency_p99_s"), ("p99 s", "verify_latency_p99_s"),
                ("peak reads/min", "verify_peak_reads_per_min"), ("limit/min", "rate_limit_per_min"), ("429s/day", "verify_429_per_day"),
                ("peak deliveries/s", "verify_peak_deliveries_per_s"), ("flags", "verify_flags"), ("note", "verify_note"),
            ], where: { $0["role"] != "curve" })
        }
        add("Receiver outages: measured beside the model on the same documents, counts at the day's rate", run.outages, [
            ("outage s", "outage_s"), ("strategy", "strategy"), ("documents", "documents"), ("scale", "scale"),
            ("unknown at end", "unknown_at_end"), ("model", "model_unknown_at_end"), ("catch-up s", "catch_up_s"), ("model", "model_catch_up_s"),
            ("recovered", "recovered"), ("model", "model_recovered"), ("extra requests", "extra_requests"), ("model", "model_extra_requests"),
            ("peak deliveries/min", "peak_deliveries_per_min"), ("model", "model_peak_deliveries_per_min"), ("lost", "lost"),
        ])
        add("DB cost", run.dbcost, [
            ("backend", "backend"), ("rows", "rows"), ("index", "index"), ("p50 µs", "p50_us"), ("p99 µs", "p99_us"), ("speed-up", "speedup"),
            ("plan", "plan"),
        ])
        return tables
    }

    static let template = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>async-flows report — {{folder}}</title>
        <style>
        :root { color-scheme: light dark; }
        body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 1100px;
               padding: 0 1rem; background: #ffffff; color: #1f1f1f; line-height: 1.45; }
        h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
        h2 { font-size: 1.2rem; margin: 2rem 0 0.4rem; }
        p.lead { margin-top: 0; color: #555; }
        dl { display: grid; grid-template-columns: max-content auto; gap: 0.15rem 1rem; font-size: 0.9rem; }
        dt { font-weight: 600; }
        dd { margin: 0; overflow-wrap: anywhere; }
        figure { margin: 1rem 0 2rem; }
        figure svg { max-width: 100%; height: auto; border: 1px solid #e2e2e2; border-radius: 4px; }
        figcaption { font-size: 0.9rem; color: #444; max-width: 760px; }
        table { border-collapse: collapse; font-size: 0.8rem; margin-bottom: 1.5rem; }
        th, td { border-bottom: 1px solid #e2e2e2; padding: 0.2rem 0.5rem; text-align: right; white-space: nowrap; }
        th:nth-child(-n+2), td:nth-child(-n+2) { text-align: left; }
        .scroll { overflow-x: auto; }
        a { color: #0072B2; }
        @media (prefers-color-scheme: dark) {
          body { background: #17191c; color: #e8e8e8; }
          p.lead, figcaption { color: #b8b8b8; }
          figure svg { border-color: #3a3d42; }
          th, td { border-color: #3a3d42; }
          a { color: #56B4E9; }
        }
        @media print { body { background: #ffffff; color: #000000; max-width: none; } figure { break-inside: avoid; } }
        </style>
        </head>
        <body>
        <h1>async-flows: webhooks or polling?</h1>
        <p class="lead">Results of the run in <code>{{folder}}</code>. Hover a point or a bar for its figures.</p>
        <dl>
        {{#facts}}<dt>{{name}}</dt><dd>{{value}}</dd>
        {{/facts}}
        </dl>
        {{#charts}}
        <figure>
        <h2>{{title}}</h2>
        {{{svg}}}
        <figcaption>{{caption}} (<a href="{{file}}">{{file}}</a>)</figcaption>
        </figure>
        {{/charts}}
        {{#tables}}
        <h2>{{title}}</h2>
        <div class="scroll"><table>
        <thead><tr>{{#headers}}<th>{{.}}</th>{{/headers}}</tr></thead>
        <tbody>
        {{#rows}}<tr>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>
        {{/rows}}
        </tbody>
        </table></div>
        {{/tables}}
        </body>
        </html>
        """
}
