import ArgumentParser
import BenchKit
import Foundation

/// `Bench report`: the HTML report and SVG charts of any run, from its result files.
struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render a run's report.html and its charts (.svg) from its CSV and run.json files.",
        discussion: "Every run that writes results writes its report too; this renders it again, or for runs made before reports existed."
    )

    @Option(help: "The run's folder.")
    var run = "results/latest"

    @Option(help: "Where report.html goes (the charts go beside it); default: in the run's folder.")
    var out: String?

    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: run, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--run \(run) is not a folder")
        }
        if let out, !out.hasSuffix(".html") { throw ValidationError("--out must name an .html file, not \(out)") }
    }

    func run() async throws {
        do {
            let page = try ReportWriter.write(run: URL(fileURLWithPath: run, isDirectory: true), to: out.map { URL(fileURLWithPath: $0) })
            Terminal.show("Report written to \(page.path)")
        } catch {
            FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
            throw ExitCode(65)
        }
    }
}
