import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

@testable import BenchKit

/// `Bench check --format`: the same judgement as JUnit XML, Markdown and GitHub workflow commands.
struct GateFormatTests {
    /// A baseline and a run with one figure of every verdict: holds, improved, regressed, missing, a timed figure
    /// outside its floor, and one of a backend the run did not use; names and a comment carry characters each
    /// format must escape.
    static let check: BaselineCheck = {
        let origin = Baseline.Origin(gitRevision: "test", measuredAt: Date(timeIntervalSince1970: 0), machine: .current(), command: "test")
        let baseline = Baseline(
            origin: origin,
            figures: [
                .init(name: "ci/webhook/requests_total", kind: .exact, measured: .exact, value: 400, better: .lower),
                .init(name: "ci/poll-fixed:1s/requests_total", kind: .exact, measured: .exact, value: 990, better: .lower),
                .init(name: "ci/poll-fixed:0.5s/latency_p50_ms", kind: .exact, measured: .exact, value: 250, better: .lower),
                .init(name: "ci/sse/requests_total", kind: .exact, measured: .exact, value: 10, better: .lower),
                .init(name: "hotpath/receiver/instructions", kind: .within, measured: .counted, value: 250_000, tolerance: 0.03, better: .lower),
                .init(name: "receiver/ratio_to_ceiling", kind: .atLeast, measured: .timed, value: 0.2),
                .init(name: "ci/webhook/postgres_db_statements", kind: .exact, measured: .exact, value: 2650, better: .lower, backend: "postgres"),
                .init(name: "ci/<odd>&\"name\",x:y", kind: .exact, measured: .exact, value: 1, better: .lower),
            ]
        )
        let run = RunFigures(values: [
            "ci/webhook/requests_total": 400,
            "ci/poll-fixed:1s/requests_total": 980,
            "ci/poll-fixed:0.5s/latency_p50_ms": 260,
            "hotpath/receiver/instructions": 251_000,
            "receiver/ratio_to_ceiling": 0.15,
            "ci/<odd>&\"name\",x:y": 2,
        ])
        return BaselineCheck(baseline: baseline, run: run)
    }()

    @Test func theCheckHoldsOneFigureOfEveryVerdict() {
        let verdicts = Dictionary(Self.check.rows.map { ($0.figure.name, $0.verdict) }, uniquingKeysWith: { $1 })
        #expect(verdicts["ci/webhook/requests_total"] == .holds)
        #expect(verdicts["ci/poll-fixed:1s/requests_total"] == .improved)
        #expect(verdicts["ci/poll-fixed:0.5s/latency_p50_ms"] == .regressed)
        #expect(verdicts["ci/sse/requests_total"] == .missing)
        #expect(verdicts["hotpath/receiver/instructions"] == .holds)
        #expect(verdicts["receiver/ratio_to_ceiling"] == .warns)
        #expect(verdicts["ci/webhook/postgres_db_statements"] == .notMeasured)
        #expect(Self.check.exitCode == 2)
    }

    /// The JUnit report of Ant's `junit` task, as Jenkins, GitLab and GitHub's test reporters read it: `testsuites`
    /// of `testsuite`s of `testcase`s, each with at most one `failure`, `error` or `skipped`, then its output.
    static let junitDTD = """
        <!ELEMENT testsuites (testsuite*)>
        <!ATTLIST testsuites name CDATA #IMPLIED tests CDATA #IMPLIED failures CDATA #IMPLIED errors CDATA #IMPLIED skipped CDATA #IMPLIED time CDATA #IMPLIED>
        <!ELEMENT testsuite (properties?, testcase*, system-out?, system-err?)>
        <!ATTLIST testsuite name CDATA #REQUIRED tests CDATA #REQUIRED failures CDATA #REQUIRED errors CDATA #REQUIRED skipped CDATA #IMPLIED time CDATA #IMPLIED timestamp CDATA #IMPLIED hostname CDATA #IMPLIED id CDATA #IMPLIED package CDATA #IMPLIED>
        <!ELEMENT properties (property*)>
        <!ELEMENT property EMPTY>
        <!ATTLIST property name CDATA #REQUIRED value CDATA #REQUIRED>
        <!ELEMENT testcase ((failure | error | skipped)?, system-out?, system-err?)>
        <!ATTLIST testcase name CDATA #REQUIRED classname CDATA #REQUIRED time CDATA #IMPLIED>
        <!ELEMENT failure (#PCDATA)>
        <!ATTLIST failure message CDATA #IMPLIED type CDATA #IMPLIED>
        <!ELEMENT error (#PCDATA)>
        <!ATTLIST error message CDATA #IMPLIED type CDATA #IMPLIED>
        <!ELEMENT skipped (#PCDATA)>
        <!ATTLIST skipped message CDATA #IMPLIED>
        <!ELEMENT system-out (#PCDATA)>
        <!ELEMENT system-err (#PCDATA)>
        """

    /// Validates `xml` against ``junitDTD``, declared inline before its root.
    static func validateJUnit(_ xml: String) throws -> XMLDocument {
        let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        #expect(xml.hasPrefix(declaration))
        let withDTD = declaration + "<!DOCTYPE testsuites [\n\(junitDTD)\n]>\n" + xml.dropFirst(declaration.count)
        let document = try XMLDocument(xmlString: withDTD, options: [])
        try document.validate()
        return document
    }

    @Test func theJUnitReportIsValidAndHasOneTestCasePerFigure() throws {
        let xml = GateFormat.junit.render(Self.check)
        let document = try Self.validateJUnit(xml)
        let cases = try document.nodes(forXPath: "//testcase").compactMap { $0 as? XMLElement }
        #expect(cases.count == Self.check.rows.count)
        let names = cases.compactMap { $0.attribute(forName: "name")?.stringValue }
        #expect(Set(names) == Set(Self.check.rows.map(\.figure.name)), "names come back unescaped")

        let root = try #require(document.rootElement())
        #expect(root.attribute(forName: "tests")?.stringValue == "8")
        #expect(root.attribute(forName: "failures")?.stringValue == "3", "regressed and missing figures fail")
        #expect(root.attribute(forName: "skipped")?.stringValue == "1", "a figure of a backend the run did not use is skipped")

        let failure = try #require(try document.nodes(forXPath: "//testcase[@name='ci/poll-fixed:0.5s/latency_p50_ms']/failure").first as? XMLElement)
        let message = try #require(failure.attribute(forName: "message")?.stringValue)
        #expect(message.contains("baseline 250") && message.contains("measured 260") && message.contains("exact (lower is better)"), "\(message)")
        #expect(try document.nodes(forXPath: "//testcase[@name='receiver/ratio_to_ceiling']/failure").isEmpty, "a timed figure warns, it does not fail")
        #expect(try document.nodes(forXPath: "//testcase[@name='ci/webhook/requests_total']/*").isEmpty, "a holding figure is a bare passing case")

        // Anything but a valid report is refused by the same check.
        #expect(throws: (any Error).self) { try Self.validateJUnit(xml.replacingOccurrences(of: "classname=", with: "klass=")) }
    }

    @Test func theMarkdownSummaryIsATableOfWhatMoved() throws {
        let markdown = GateFormat.markdown.render(Self.check)
        let lines = markdown.split(separator: "\n").map(String.init)
        #expect(lines.first == "## Regression gate: exit 2 (a figure regressed)")
        let header = "| figure | measured | baseline | this run | may move | verdict |"
        let start = try #require(lines.firstIndex(of: header))
        #expect(lines[start + 1] == "|---|---|---:|---:|---|---|")
        let rows = lines[(start + 2)...].filter { $0.hasPrefix("| ") }
        #expect(rows.count == Self.check.moved.count)
        for row in rows {
            let unescaped = row.replacingOccurrences(of: "\\|", with: "")
            #expect(unescaped.filter { $0 == "|" }.count == 7, "six cells in \(row)")
        }
        #expect(rows.contains("| `ci/poll-fixed:0.5s/latency_p50_ms` | exact | 250 | 260 | exact (lower is better) | **regressed** |"))
        let origin = Baseline.Origin(gitRevision: "test", measuredAt: Date(), machine: .current(), command: "test")
        let quiet = BaselineCheck(baseline: Baseline(origin: origin, figures: []), run: RunFigures(values: [:]))
        #expect(GateFormat.markdown.render(quiet).hasSuffix("No figure moved.\n"))
    }

    @Test func gitHubCommandsAnnotateEveryFigureThatMoved() {
        let lines = GateFormat.github.render(Self.check).split(separator: "\n").map(String.init)
        #expect(lines.count == Self.check.moved.count)
        #expect(lines.filter { $0.hasPrefix("::error ") }.count == 3)
        #expect(lines.filter { $0.hasPrefix("::warning ") }.count == 1)
        #expect(lines.filter { $0.hasPrefix("::notice ") }.count == 1)
        #expect(lines.contains("::error title=Bench check%3A ci/poll-fixed%3A0.5s/latency_p50_ms::ci/poll-fixed:0.5s/latency_p50_ms regressed: baseline 250, measured 260, may move: exact (lower is better)"))
        // The property's separators are encoded, so the title ends where GitHub expects it to.
        let odd = lines.first { $0.contains("odd") } ?? ""
        #expect(odd.hasPrefix("::error title=Bench check%3A ci/<odd>&\"name\"%2Cx%3Ay::"))
        #expect(GateFormat.githubData("50% done\nnext") == "50%25 done%0Anext")
    }

    @Test func formatsAreParsedByNameAndAnUnknownOneIsNamed() throws {
        #expect(try GateFormat.parse([]) == [.text])
        #expect(try GateFormat.parse(["junit,markdown", "github", "junit"]) == [.junit, .markdown, .github])
        #expect(throws: BenchError.self) { try GateFormat.parse(["junit,xml"]) }
        do {
            _ = try GateFormat.parse(["xml"])
        } catch {
            #expect(error.description == "unknown --format \"xml\"; the formats are text, junit, markdown, github")
        }
        #expect(throws: BenchError.self) { try GateFormat.parse(["junit,"]) }
    }

    @Test func theTextFormatIsTheReport() {
        #expect(GateFormat.text.render(Self.check) == Self.check.report)
    }
}
