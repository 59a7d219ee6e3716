import Charts

/// `gate.html`: every figure of the gate with its baseline, this run's value, how it is measured (exact, counted or
/// timed), how it may move and its verdict; the figures that moved first.
public enum GateReport {
    public static func html(_ check: BaselineCheck, baseline: Baseline) -> String {
        let order: [BaselineCheck.Verdict: Int] = [.regressed: 0, .missing: 0, .improved: 1, .warns: 2, .holds: 3, .notMeasured: 4]
        let rows = check.rows.enumerated().sorted { (order[$0.element.verdict] ?? 5, $0.offset) < (order[$1.element.verdict] ?? 5, $1.offset) }.map(\.element)
        var counts = ""
        for measurement in Baseline.Measurement.allCases {
            let (holding, judged) = check.tally(measurement)
            counts += "<li><b>\(measurement.rawValue)</b>: \(holding) of \(judged) hold — \(SVGNode.escape(describe(measurement)))</li>\n"
        }
        var body = ""
        for row in rows {
            let current = row.current.map(BaselineCheck.format) ?? "-"
            body += """
                <tr class="\(row.verdict == .notMeasured ? "unjudged" : row.verdict.rawValue)"><td>\(SVGNode.escape(row.figure.name))</td><td>\(row.figure.measured.rawValue)</td>\
                <td>\(SVGNode.escape(BaselineCheck.describeBaseline(row.figure)))</td><td>\(SVGNode.escape(current))</td>\
                <td>\(SVGNode.escape(BaselineCheck.describeTolerance(row.figure)))</td><td>\(row.verdict.rawValue)</td></tr>\n
                """
        }
        let exit = check.exitCode
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>async-flows regression gate</title>
            <style>
            body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
            table { border-collapse: collapse; } td, th { padding: 2px 10px; border-bottom: 1px solid #ddd; text-align: left; }
            td:nth-child(3), td:nth-child(4) { text-align: right; font-variant-numeric: tabular-nums; }
            tr.regressed, tr.missing { background: #fbd5d5; } tr.improved { background: #d5f0d9; } tr.warns { background: #fdf0c8; }
            tr.unjudged { color: #999; }
            </style></head><body>
            <h1>Regression gate: exit \(exit) (\(exit == 0 ? "every exact and counted figure holds" : exit == 4 ? "some figures improved" : "a figure regressed"))</h1>
            <p>Baseline measured at \(SVGNode.escape(baseline.origin.gitRevision)) on \(SVGNode.escape(baseline.origin.machine.hostname)) by <code>\(SVGNode.escape(baseline.origin.command))</code>.</p>
            <ul>
            \(counts)</ul>
            <table><thead><tr><th>figure</th><th>measured</th><th>baseline</th><th>this run</th><th>may move</th><th>verdict</th></tr></thead>
            <tbody>
            \(body)</tbody></table>
            </body></html>

            """
    }

    static func describe(_ measurement: Baseline.Measurement) -> String {
        switch measurement {
        case .exact: "behaviour in virtual time, the same for a seed on any machine: any change fails (or, on its better side, is an improvement)"
        case .counted: "instructions (valgrind) and heap allocations per hot-path operation: more than 3 % more instructions or half an allocation more fails"
        case .timed: "wall-clock figures on a shared machine: outside their bands they warn, they do not fail"
        }
    }
}
