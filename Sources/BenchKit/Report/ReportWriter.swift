import Foundation

/// Writes a run's `report.html` and each chart as its own `.svg` beside it, from the run's result files.
public enum ReportWriter {
    /// - Parameters:
    ///   - run: The run's folder.
    ///   - html: Where the page goes; `report.html` in the run's folder by default. The charts go beside it.
    /// - Returns: The page's location.
    @discardableResult
    public static func write(run directory: URL, to html: URL? = nil) throws(BenchError) -> URL {
        let run = try RunFiles(directory: directory)
        let charts = try ReportCharts.all(run)
        let page = try ReportPage.html(run, charts: charts)
        let target = html ?? directory.appendingPathComponent("report.html")
        let folder = target.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for chart in charts {
                try chart.svg.write(to: folder.appendingPathComponent(chart.file), atomically: true, encoding: .utf8)
            }
            try page.write(to: target, atomically: true, encoding: .utf8)
        } catch {
            throw BenchError("the report cannot be written to \(target.path): \(error.localizedDescription)")
        }
        return target
    }
}
