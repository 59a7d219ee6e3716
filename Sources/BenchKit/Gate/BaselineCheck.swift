import Foundation

/// Compares a run's figures with a baseline.
public struct BaselineCheck: Sendable {
    public enum Verdict: String, Sendable, Hashable {
        case holds
        case improved
        case regressed
        case missing
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
            return Row(figure: figure, current: current, verdict: Self.judge(figure, current))
        }
    }

    static func judge(_ figure: Baseline.Figure, _ current: Double) -> Verdict {
        switch figure.kind {
        case .exact:
            return abs(current - (figure.value ?? .nan)) <= 1e-9 ? .holds : .regressed
        case .atLeast:
            return current >= (figure.value ?? .infinity) ? .holds : .regressed
        case .band:
            return (figure.low ?? .infinity) <= current && current <= (figure.high ?? -.infinity) ? .holds : .regressed
        case .within:
            guard let value = figure.value, let tolerance = figure.tolerance, let better = figure.better else { return .regressed }
            let allowed = tolerance * abs(value)
            if abs(current - value) <= allowed { return .holds }
            let isLower = current < value
            return (better == .lower) == isLower ? .improved : .regressed
        }
    }

    /// 0 when every figure holds, 2 when any regressed or is missing, 4 when some improved and none regressed.
    public var exitCode: Int32 {
        if rows.contains(where: { $0.verdict == .regressed || $0.verdict == .missing }) { return 2 }
        if rows.contains(where: { $0.verdict == .improved }) { return 4 }
        return 0
    }

    /// The figures that moved, named.
    public var moved: [Row] { rows.filter { $0.verdict != .holds && $0.verdict != .notMeasured } }

    /// A table of figure, baseline, current, tolerance and verdict, then a line naming what moved.
    public var report: String {
        var table = [["figure", "baseline", "current", "tolerance", "verdict"]]
        for row in rows {
            table.append([row.figure.name, Self.describeBaseline(row.figure), row.current.map { Self.format($0) } ?? "-", Self.describeTolerance(row.figure), row.verdict.rawValue])
        }
        var text = SummaryTable.render(table)
        let regressed = rows.filter { $0.verdict == .regressed || $0.verdict == .missing }.map(\.figure.name)
        let improved = rows.filter { $0.verdict == .improved }.map(\.figure.name)
        if !regressed.isEmpty { text += "Regressed: \(regressed.joined(separator: ", "))\n" }
        if !improved.isEmpty { text += "Improved: \(improved.joined(separator: ", ")) (run `Bench check --update` to keep the gain)\n" }
        if regressed.isEmpty, improved.isEmpty { text += "Every figure holds.\n" }
        return text
    }

    private static func describeBaseline(_ figure: Baseline.Figure) -> String {
        switch figure.kind {
        case .exact, .within: figure.value.map { format($0) } ?? "-"
        case .atLeast: "≥ " + (figure.value.map { format($0) } ?? "-")
        case .band: "\(figure.low.map { format($0) } ?? "-")…\(figure.high.map { format($0) } ?? "-")"
        }
    }

    private static func describeTolerance(_ figure: Baseline.Figure) -> String {
        switch figure.kind {
        case .exact: "exact"
        case .within: "±\(format((figure.tolerance ?? 0) * 100))% (\(figure.better?.rawValue ?? "?") is better)"
        case .atLeast: "floor"
        case .band: "band"
        }
    }

    private static func format(_ value: Double) -> String {
        CSVTable.number(value, digits: 4)
    }
}
