import ArgumentParser
import BenchKit
import Foundation

/// `Bench check`: the CI regression gate.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare a run with results/baseline.json: exit 0 when every figure holds, 2 when any regressed, 4 when some improved.",
        discussion: """
            Without --run it first runs the CI profile (Bench run --profile ci) into --out. With --update it rewrites \
            the baseline from the run instead, keeping each figure's kind, tolerance and comment.
            """
    )

    @Option(help: "The baseline file.")
    var baseline = "results/baseline.json"

    @Option(help: "A run directory to check (its summary.csv and dbcost.csv); default: run the CI profile now.")
    var run: String?

    @Flag(help: "Rewrite the baseline from the run, deliberately.")
    var update = false

    @Option(help: "Where the CI profile's run is written when --run is not given.")
    var out = "results/latest-ci"

    @Option(help: "The program that drives the hot paths for the counted figures (default: HotPath beside Bench).")
    var hotPathProgram: String?

    @Option(help: "Run the CI profile on this database instead of SQLite files: postgres://USER@HOST:PORT/DATABASE.")
    var db: String?

    @Option(
        name: .customLong("format"),
        help: ArgumentHelp(
            "How to write the judgement: \(GateFormat.allCases.map(\.rawValue).joined(separator: ", ")) (repeat the option or separate with commas; several need --format-out).",
            valueName: "format"
        )
    )
    var formats: [String] = []

    @Option(help: ArgumentHelp("Write each --format to its file in this folder (gate.txt, gate-junit.xml, gate.md, gate-github.txt); the text is printed as well, and GitHub's commands too, which GitHub reads only from the output.", valueName: "dir"))
    var formatOut: String?

    @Option(help: "The clock the CI profile's strategies run on: virtual only (the baseline keeps their figures exactly, which only virtual time makes reproducible).")
    var clock = RunClock.virtual

    func validate() throws {
        let formats: [GateFormat]
        do {
            formats = try GateFormat.parse(self.formats)
        } catch {
            throw ValidationError(error.description)
        }
        if formats.count > 1, formatOut == nil {
            throw ValidationError("--format \(formats.map(\.rawValue).joined(separator: ",")): several formats need --format-out DIR, one file each")
        }
        if update, !self.formats.isEmpty || formatOut != nil {
            throw ValidationError("--update rewrites the baseline and judges nothing: --format and --format-out do not apply")
        }
        guard clock == .virtual else {
            throw ValidationError("--clock wall cannot be checked: the baseline keeps the strategies' figures exactly, as virtual time makes them (Bench run --profile ci --clock wall still runs the profile on the wall clock)")
        }
        if !update {
            do {
                _ = try Baseline.load(from: URL(fileURLWithPath: baseline))
            } catch {
                throw ValidationError(error.description)
            }
        }
        if run == nil {
            do {
                try hotPathCounter.checkTools()
            } catch {
                throw ValidationError(error.description)
            }
        }
        if let run, !FileManager.default.fileExists(atPath: URL(fileURLWithPath: run).appendingPathComponent("summary.csv").path) {
            throw ValidationError("--run \(run) holds no summary.csv")
        }
    }

    func run() async throws {
        let directory = try await runDirectory()
        let figures = try RunFigures(directory: directory)
        let url = URL(fileURLWithPath: baseline)
        if update {
            let record = try RunRecord.load(from: directory.appendingPathComponent("run.json"))
            var fresh = BaselinePolicy.figures(for: figures)
            if let existing = try? Baseline.load(from: url) {
                fresh = fresh.map { figure in Self.keepingJudgement(of: existing, for: figure) }
                // A backend this run did not measure keeps its figures as they were.
                fresh += existing.figures.filter { figure in
                    figure.backend.map { !figures.backends.contains($0) } ?? false
                }
            }
            let updated = Baseline(
                origin: .init(gitRevision: record.gitRevision, measuredAt: record.startedAt, machine: record.machine, command: record.command),
                figures: fresh
            )
            try updated.validate()
            try updated.write(to: url)
            print("Baseline \(url.path) rewritten from \(directory.path): \(fresh.count) figures.")
            return
        }
        let kept = try Baseline.load(from: url)
        let check = BaselineCheck(baseline: kept, run: figures)
        try check.csv.text.write(to: directory.appendingPathComponent("gate.csv"), atomically: true, encoding: .utf8)
        try GateReport.html(check, baseline: kept).write(to: directory.appendingPathComponent("gate.html"), atomically: true, encoding: .utf8)
        let formats = try GateFormat.parse(self.formats)
        if let formatOut {
            let folder = URL(fileURLWithPath: formatOut, isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for format in formats {
                try format.render(check).write(to: folder.appendingPathComponent(format.fileName), atomically: true, encoding: .utf8)
            }
            print(check.report, terminator: "")
            if formats.contains(.github) { print(GateFormat.github.render(check), terminator: "") }
            print("Gate written as \(formats.map(\.rawValue).joined(separator: ", ")) to \(folder.path).")
        } else {
            print(formats[0].render(check), terminator: "")
        }
        if check.exitCode != 0 { throw ExitCode(check.exitCode) }
    }

    private var hotPathCounter: HotPathCounter {
        HotPathCounter(program: hotPathProgram.map { URL(fileURLWithPath: $0) } ?? HotPathCounter.besideThisProgram)
    }

    /// The run to judge: `--run`, or the CI profile run now, then its hot paths counted into `hotpath.csv`.
    private func runDirectory() async throws -> URL {
        if let run { return URL(fileURLWithPath: run, isDirectory: true) }
        let command = try Run.parse(["--profile", "ci", "--out", out] + (db.map { ["--db", $0] } ?? []))
        try await command.run()
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        let counts = try await hotPathCounter.count(progress: ProgressLine())
        let table = HotPathCounts.table(counts)
        try table.text.write(to: directory.appendingPathComponent(HotPathCounts.fileName), atomically: true, encoding: .utf8)
        print(SummaryTable.render([table.columns] + table.rows))
        return directory
    }

    /// A figure as the policy makes it from the run, with the kind, tolerance, floor, band and comment the existing
    /// baseline chose for it, if it has one.
    static func keepingJudgement(of existing: Baseline, for figure: Baseline.Figure) -> Baseline.Figure {
        guard let kept = existing.figures.first(where: { $0.name == figure.name }) else { return figure }
        var merged = kept
        if kept.kind == .exact || kept.kind == .within { merged.value = figure.value }
        merged.measured = figure.measured
        merged.backend = figure.backend
        return merged
    }
}
