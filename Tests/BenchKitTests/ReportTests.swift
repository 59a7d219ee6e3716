import Charts
import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

@testable import BenchKit

/// The report of the committed reference run, parsed back.
struct ReportTests {
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A copy of results/reference, so rendering never writes into the repository.
    private func referenceCopy() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("report-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["summary.csv", "latency.csv", "dbcost.csv", "receiver.csv", "run.json"] {
            let source = Self.repository.appendingPathComponent("results/reference/\(name)")
            if FileManager.default.fileExists(atPath: source.path) {
                try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent(name))
            }
        }
        return folder
    }

    @Test func theReferenceRunRendersEveryStrategyAndEveryDBCell() throws {
        let folder = try referenceCopy()
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = try ReportWriter.write(run: folder)
        let run = try RunFiles(directory: folder)
        let strategies = run.rows(scenario: try #require(run.mainScenario)).compactMap { $0["strategy"] }
        #expect(strategies.count >= 8)

        let tradeoff = try SVGDocument(folder.appendingPathComponent("tradeoff.svg"))
        let cdf = try SVGDocument(folder.appendingPathComponent("latency-cdf.svg"))
        for strategy in strategies {
            #expect(tradeoff.titles.contains { $0.hasPrefix(strategy + ":") }, "\(strategy) in the trade-off")
            #expect(cdf.titles.contains { $0.hasPrefix(strategy) }, "\(strategy) in the distributions")
        }
        let dbcost = try SVGDocument(folder.appendingPathComponent("dbcost.svg"))
        for cell in run.dbcost?.records ?? [] {
            let rows = try #require(cell["rows"])
            #expect(dbcost.titles.contains { $0.contains("\(rows) rows: p50") && $0.contains(cell["index"] == "with" ? "with index" : "without index") },
                    "the \(rows)-row cell \(cell["index"] ?? "")")
        }
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(html.components(separatedBy: "<svg").count - 1 == 5, "five charts inline")
        #expect(!html.contains("<script"), "nothing runs in the page")
        #expect(!html.contains("src=\"http"), "nothing is fetched")
    }

    @Test func everyKindOfRequestHasAColourOfItsOwn() throws {
        let folder = try referenceCopy()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try ReportWriter.write(run: folder)
        let text = try String(contentsOf: folder.appendingPathComponent("requests.svg"), encoding: .utf8)
        // Each legend entry's swatch: a rect with a fill, then the key's label.
        let swatches = text.components(separatedBy: "class=\"legend-entry\"").dropFirst().compactMap { entry -> String? in
            guard let fill = entry.range(of: "fill=\"#") else { return nil }
            return String(entry[fill.upperBound...].prefix(6))
        }
        #expect(swatches.count == 9, "submit, status 200 and 304, event feed and stream, webhook, retries, duplicates, thin fetches")
        #expect(Set(swatches).count == swatches.count, "no two kinds share a colour: \(swatches)")
    }

    @Test func pointsSitWhereTheScalesPutThem() throws {
        let folder = try referenceCopy()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try RunFiles(directory: folder)
        let chart = try #require(ReportCharts.tradeoffChart(run))
        let (x, y) = try chart.scales()
        let document = try SVGDocument(string: try chart.svg())
        for marker in chart.markers where marker.filled {
            let drawn = document.markers.first { $0.title == marker.tooltip && abs($0.y - y.position(marker.y)) < 0.02 }
            #expect(drawn != nil, "\(marker.tooltip) at y \(marker.y)")
            if let drawn { #expect(abs(drawn.x - x.position(marker.x)) < 0.02) }
        }
    }

    @Test func everyValueIsEscapedOnThePage() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("report-escape-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let hostile = #"<script>alert("x")</script>"#
        try """
            scenario,strategy,documents,completed,lost,requests_per_doc,latency_mean_ms,latency_p99_ms,submit_requests,status_requests\r
            comparison,"\(hostile.replacingOccurrences(of: "\"", with: "\"\""))",10,10,0,2,5,9,10,0\r

            """.write(to: folder.appendingPathComponent("summary.csv"), atomically: true, encoding: .utf8)
        let page = try String(contentsOf: try ReportWriter.write(run: folder), encoding: .utf8)
        #expect(!page.contains("<script"))
        #expect(page.contains("&lt;script&gt;"))
        let svg = try String(contentsOf: folder.appendingPathComponent("tradeoff.svg"), encoding: .utf8)
        #expect(!svg.contains("<script") && svg.contains("&lt;script&gt;"))
        _ = try SVGDocument(string: svg)
    }

    @Test func aFolderWithoutResultsIsAClearError() {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("report-empty-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = #expect(throws: BenchError.self) { try ReportWriter.write(run: folder) }
        #expect(error?.description.contains("not a run's folder") == true)
    }

    @Test func theFrontierKeepsOnlyPointsNoOtherBeatsOnBoth() {
        let frontier = ReportCharts.paretoFrontier([(2, 5), (1.1, 500), (5, 490), (8.5, 250), (2, 12), (3, 13)])
        #expect(frontier.map(\.x) == [1.1, 2])
        #expect(frontier.map(\.y) == [500, 5])
    }
}

/// An SVG file parsed: the tooltip of every element, and the centre of every marker.
final class SVGDocument: NSObject, XMLParserDelegate {
    private(set) var titles: [String] = []
    private(set) var markers: [(x: Double, y: Double, title: String)] = []
    private var pendingMarker: (x: Double, y: Double)?
    private var inTitle = false
    private var text = ""
    private var depth = 0
    private var markerDepth: Int?

    convenience init(_ url: URL) throws {
        try self.init(string: String(contentsOf: url, encoding: .utf8))
    }

    init(string: String) throws {
        super.init()
        let parser = XMLParser(data: Data(string.utf8))
        parser.delegate = self
        guard parser.parse() else { throw SVGParseError(description: parser.parserError.map { "\($0)" } ?? "not well-formed") }
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        depth += 1
        if attributes["class"]?.hasPrefix("marker") == true {
            let x = Double(attributes["cx"] ?? attributes["data-cx"] ?? "") ?? .nan
            let y = Double(attributes["cy"] ?? attributes["data-cy"] ?? "") ?? .nan
            pendingMarker = (x, y)
            markerDepth = depth
        }
        if name == "title" {
            inTitle = true
            text = ""
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inTitle { text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "title" {
            inTitle = false
            titles.append(text)
            if let marker = pendingMarker, markerDepth == depth - 1 {
                markers.append((marker.x, marker.y, text))
                pendingMarker = nil
            }
        }
        depth -= 1
    }
}

private struct SVGParseError: Error, CustomStringConvertible {
    var description: String
}
