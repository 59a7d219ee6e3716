import Foundation

/// Compares a run's figures with a baseline.
public struct BaselineCheck: Sendable {
    public enum Verdict: String, Sendable, Hashable {
        case holds
        case improved
        case regressed
        case missing
        /// A timed figure outside its judgement: wall-clock figures on a shared machine advise, they do not fail.
        case warns
        /// Measured on a backend this run did not use: not judged.
        case notMeasured = "not measured"
    }

    public struct Row: Sendable, Hashable {
        public var figure: Baseline.Figure
        public var current: Double?
        public var verdict: Verdict
    }

    public let rows: [Row]

    public init(baseline: Baseline, run: RunFigures) {
        rows = baseline.figures.map { figure in
            if let backend = figure.backend, !run.backends.contains(backend) { return Row(figure: figure, current: nil, verdict: .notMeasured) }
            guard let current = run.values[figure.name] else { return Row(figure: figure, current: nil, verdict: .missing) }
            let verdict = Self.judge(figure, current)
            return Row(figure: figure, current: current, verdict: verdict == .regressed && figure.measured == .timed ? .warns : verdict)
        }
    }

    static func judge(_ figure: Baseline.Figure, _ current: Double) -> Verdict {
        switch figure.kind {
        case .exact:
            guard let value = figure.value else { return .regressed }
            if abs(current - value) <= 1e-9 * max(1, abs(value)) { return .holds }
            guard let better = figure.better else { return .regressed }
            return (better == .lower) == (current < value) ? .improved : .regressed
        case .atLeast:
            return current >= (figure.value ?? .infinity) ? .holds : .regressed
        case .band:
            return (figure.low ?? .infinity) <= current && current <= (figure.high ?? -.infinity) ? .holds : .regressed
        case .within:
            guard let value = figure.value, let better = figure.better else { return .regressed }
            let allowed = max((figure.tolerance ?? 0) * abs(value), figure.slack ?? 0)
            if abs(current - value) <= allowed { return .holds }
            return (better == .lower) == (current < value) ? .improved : .regressed
        }
    }

    /// 0 when every exact and counted figure holds, 2 when any regressed (or any figure is missing), 4 when some
    /// improved and none regressed. Timed figures only warn.
    public var exitCode: Int32 {
        if rows.contains(where: { $0.verdict == .regressed || $0.verdict == .missing }) { return 2 }
        if rows.contains(where: { $0.verdict == .improved }) { return 4 }
        return 0
    }

    /// The figures that moved, named.
    public var moved: [Row] { rows.filter { $0.verdict != .holds && $0.verdict != .notMeasured } }

    /// How many figures of each measurement were judged and held, then a table of every figure that moved (figure,
    /// how it is measured, baseline, current, tolerance, verdict), then a line per verdict naming them.
    public var report: String {
        var text = ""
        for measurement in Baseline.Measurement.allCases {
            let (holding, judged) = tally(measurement)
            guard judged > 0 else { continue }
            text += "\(measurement.rawValue): \(holding) of \(judged) figures hold\n"
        }
        let unjudged = rows.filter { $0.verdict == .notMeasured }.count
        if unjudged > 0 { text += "\(unjudged) figures of a backend this run did not use are not judged\n" }
        if !moved.isEmpty {
            let moving = table(of: moved)
            text += SummaryTable.render([moving.columns] + moving.rows)
        }
        let regressed = rows.filter { $0.verdict == .regressed || $0.verdict == .missing }.map(\.figure.name)
        let improved = rows.filter { $0.verdict == .improved }.map(\.figure.name)
        let warned = rows.filter { $0.verdict == .warns }.map(\.figure.name)
        if !regressed.isEmpty { text += "Regressed: \(regressed.joined(separator: ", "))\n" }
        if !improved.isEmpty { text += "Improved: \(improved.joined(separator: ", ")) (run `Bench check --update` to keep the gain)\n" }
        if !warned.isEmpty { text += "Timed figures outside their bands (advice, not a failure): \(warned.joined(separator: ", "))\n" }
        if regressed.isEmpty, improved.isEmpty { text += warned.isEmpty ? "Every figure holds.\n" : "Every exact and counted figure holds.\n" }
        return text
    }

    /// Of the figures measured this way that the run could judge, how many hold.
    func tally(_ measurement: Baseline.Measurement) -> (holding: Int, judged: Int) {
        let judged = rows.filter { $0.figure.measured == measurement && $0.verdict != .notMeasured }
        return (judged.filter { $0.verdict == .holds }.count, judged.count)
    }

    /// Every figure with its judgement, as `gate.csv` holds it.
    public var csv: CSVTable { table(of: rows) }

    private func table(of rows: [Row]) -> CSVTable {
        var table = CSVTable(columns: ["figure", "measured", "baseline", "current", "tolerance", "verdict"])
        for row in rows {
            table.append([
                row.figure.name, row.figure.measured.rawValue, Self.describeBaseline(row.figure),
                row.current.map { Self.format($0) } ?? "-", Self.describeTolerance(row.figure), row.verdict.rawValue,
            ])
        }
        return table
    }

    static func describeBaseline(_ figure: Baseline.Figure) -> String {
        switch figure.kind {
        case .exact, .within: figure.value.map { format($0) } ?? "-"
        case .atLeast: "≥ " + (figure.value.map { format($0) } ?? "-")
        case .band: "\(figure.low.map { format($0) } ?? "-")…\(figure.high.map { format($0) } ?? "-")"
        }
    }

    static func describeTolerance(_ figure: Baseline.Figure) -> String {
        let direction = figure.better.map { " (\($0.rawValue) is better)" } ?? ""
        switch figure.kind {
        case .exact:
            return "exact" + direction
        case .within:
            var parts: [String] = []
            if let tolerance = figure.tolerance { parts.append("±\(format(tolerance * 100))%") }
            if let slack = figure.slack { parts.append("±\(format(slack))") }
            return parts.joined(separator: " or ") + direction
        case .atLeast: return "floor"
        case .band: return "band"
        }
    }

    static func format(_ value: Double) -> String {
        CSVTable.number(value, digits: 4)
    }
}
