import Charts
import Foundation

/// The forms `Bench check` writes its judgement in, for people and for CI systems.
public enum GateFormat: String, Sendable, Hashable, CaseIterable {
    /// The counts, the table of figures that moved and a line per verdict, as printed in a terminal.
    case text
    /// JUnit XML: one test case per figure, a failure for each regressed or missing one.
    case junit
    /// A Markdown summary with the regression table, to post on a pull request.
    case markdown
    /// GitHub Actions workflow commands: `::error` for each regression, `::warning` for each timed figure outside
    /// its band, `::notice` for each improvement.
    case github

    /// The formats named in `values` (each a name or names separated by commas), in order, each once; text when
    /// none is named.
    public static func parse(_ values: [String]) throws(BenchError) -> [GateFormat] {
        var formats: [GateFormat] = []
        for name in values.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let format = GateFormat(rawValue: trimmed) else {
                throw BenchError("unknown --format \"\(trimmed)\"; the formats are \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if !formats.contains(format) { formats.append(format) }
        }
        return formats.isEmpty ? [.text] : formats
    }

    /// The file a format is written to with `--format-out`.
    public var fileName: String {
        switch self {
        case .text: "gate.txt"
        case .junit: "gate-junit.xml"
        case .markdown: "gate.md"
        case .github: "gate-github.txt"
        }
    }

    /// The judgement in this form.
    public func render(_ check: BaselineCheck) -> String {
        switch self {
        case .text: check.report
        case .junit: GateFormat.junit(check)
        case .markdown: GateFormat.markdown(check)
        case .github: GateFormat.github(check)
        }
    }

    /// What a row's verdict says, with the figure's baseline, this run's value and how it may move.
    static func message(_ row: BaselineCheck.Row) -> String {
        let current = row.current.map(BaselineCheck.format) ?? "not measured"
        let judgement = "baseline \(BaselineCheck.describeBaseline(row.figure)), measured \(current), may move: \(BaselineCheck.describeTolerance(row.figure))"
        switch row.verdict {
        case .missing: return "\(row.figure.name) is missing from the run (\(judgement))"
        case .notMeasured: return "\(row.figure.name) is measured on \(row.figure.backend ?? "another backend"), which this run did not use"
        default: return "\(row.figure.name) \(row.verdict.rawValue): \(judgement)"
        }
    }

    // MARK: JUnit

    /// One `testsuite` per way of measuring (exact, counted, timed), one `testcase` per figure. A regressed or missing
    /// figure is a `failure`; a figure of a backend the run did not use is `skipped`; a timed figure outside its band
    /// and an improvement pass, with the verdict in `system-out`.
    static func junit(_ check: BaselineCheck) -> String {
        let failing: Set<BaselineCheck.Verdict> = [.regressed, .missing]
        var suites = ""
        var totals = (tests: 0, failures: 0, skipped: 0)
        for measurement in Baseline.Measurement.allCases {
            let rows = check.rows.filter { $0.figure.measured == measurement }
            guard !rows.isEmpty else { continue }
            let failures = rows.filter { failing.contains($0.verdict) }.count
            let skipped = rows.filter { $0.verdict == .notMeasured }.count
            totals = (totals.tests + rows.count, totals.failures + failures, totals.skipped + skipped)
            suites += """
                  <testsuite name="bench-check.\(measurement.rawValue)" tests="\(rows.count)" failures="\(failures)" errors="0" skipped="\(skipped)" time="0">

                """
            for row in rows {
                let name = SVGNode.escape(row.figure.name)
                let classname = "bench-check.\(measurement.rawValue)"
                let message = SVGNode.escape(message(row))
                switch row.verdict {
                case .regressed, .missing:
                    suites += """
                            <testcase name="\(name)" classname="\(classname)" time="0">
                              <failure message="\(message)" type="\(row.verdict.rawValue)">\(message)</failure>
                            </testcase>

                        """
                case .notMeasured:
                    suites += """
                            <testcase name="\(name)" classname="\(classname)" time="0">
                              <skipped message="\(message)"/>
                            </testcase>

                        """
                case .holds:
                    suites += "    <testcase name=\"\(name)\" classname=\"\(classname)\" time=\"0\"/>\n"
                case .improved, .warns:
                    suites += """
                            <testcase name="\(name)" classname="\(classname)" time="0">
                              <system-out>\(message)</system-out>
                            </testcase>

                        """
                }
            }
            suites += "  </testsuite>\n"
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="bench-check" tests="\(totals.tests)" failures="\(totals.failures)" errors="0" skipped="\(totals.skipped)" time="0">
            \(suites)</testsuites>

            """
    }

    // MARK: Markdown

    /// A heading with the exit code, the count of holding figures per way of measuring, and a table of every figure
    /// that moved.
    static func markdown(_ check: BaselineCheck) -> String {
        let exit = check.exitCode
        let outcome = exit == 0 ? "every exact and counted figure holds" : exit == 4 ? "some figures improved, none regressed" : "a figure regressed"
        var text = "## Regression gate: exit \(exit) (\(outcome))\n\n"
        text += "| measured | hold | judged |\n|---|---:|---:|\n"
        for measurement in Baseline.Measurement.allCases {
            let (holding, judged) = check.tally(measurement)
            guard judged > 0 else { continue }
            text += "| \(measurement.rawValue) | \(holding) | \(judged) |\n"
        }
        let moved = check.moved
        guard !moved.isEmpty else { return text + "\nNo figure moved.\n" }
        text += "\n| figure | measured | baseline | this run | may move | verdict |\n|---|---|---:|---:|---|---|\n"
        for row in moved {
            let cells = [
                "`\(row.figure.name)`", row.figure.measured.rawValue, BaselineCheck.describeBaseline(row.figure),
                row.current.map(BaselineCheck.format) ?? "-", BaselineCheck.describeTolerance(row.figure),
                row.verdict == .regressed || row.verdict == .missing ? "**\(row.verdict.rawValue)**" : row.verdict.rawValue,
            ]
            text += "| " + cells.map(markdownCell).joined(separator: " | ") + " |\n"
        }
        return text
    }

    /// A table cell: pipes escaped, line breaks as spaces.
    static func markdownCell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    // MARK: GitHub

    /// One workflow command per figure that moved; nothing when every figure holds.
    static func github(_ check: BaselineCheck) -> String {
        check.moved.map { row in
            let command = switch row.verdict {
            case .regressed, .missing: "error"
            case .warns: "warning"
            default: "notice"
            }
            return "::\(command) title=\(githubProperty("Bench check: \(row.figure.name)"))::\(githubData(message(row)))\n"
        }.joined()
    }

    /// A workflow command's message: `%`, CR and LF encoded as GitHub's runner decodes them.
    static func githubData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    /// A workflow command's property value: also `:` and `,` encoded.
    static func githubProperty(_ text: String) -> String {
        githubData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
