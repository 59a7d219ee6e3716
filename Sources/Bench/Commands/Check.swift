import ArgumentParser
import BenchKit
import Foundation

/// `Bench check`: the regression gate, of this project's CI profile or of a workload of the user's own.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare a run with a baseline: exit 0 when every figure holds, 2 when any regressed, 4 when some improved.",
        discussion: """
            Without --run it first runs the baseline's workload into --out: the CI profile (Bench run --profile ci, \
            the hot paths counted under valgrind) for results/baseline.json, or the `Bench run` options a baseline of \
            your own was made with. With --update it rewrites the baseline from the run instead, keeping each \
            figure's kind, tolerance and comment; options after -- make a baseline of that workload:
              Bench check --baseline gate/mine.json --update -- --vendor zendesk-growth --documents 500 --strategies webhook,hybrid:60s
            and `Bench check --baseline gate/mine.json` then runs the same workload again and judges it.
            """
    )

    @Option(help: "The baseline file.")
    var baseline = "results/baseline.json"

    @Option(help: "A run directory to check (its summary.csv and dbcost.csv); default: run the baseline's workload now.")
    var run: String?

    @Flag(help: "Rewrite the baseline from the run, deliberately.")
    var update = false

    @Option(help: "Where the workload's run is written when --run is not given.")
    var out = "results/latest-ci"

    @Option(help: "Run the workload on this database instead of SQLite files: postgres://USER@HOST:PORT/DATABASE.")
    var db: String?

    @Option(
        name: .customLong("format"),
        help: ArgumentHelp(
            "How to write the judgement: \(GateFormat.allCases.map(\.rawValue).joined(separator: ", ")) (repeat the option or separate with commas; several need --format-out). junit, markdown and github alone go to standard output, and the run's tables and logs to standard error.",
            valueName: "format"
        )
    )
    var formats: [String] = []

    @Option(help: ArgumentHelp("Write each --format to its file in this folder (gate.txt, gate-junit.xml, gate.md, gate-github.txt); the text is printed as well, and GitHub's commands too, which GitHub reads only from the output.", valueName: "dir"))
    var formatOut: String?

    @Option(help: "The clock the workload's strategies run on: virtual only (the baseline keeps their figures exactly, which only virtual time makes reproducible).")
    var clock = RunClock.virtual

    @Argument(
        parsing: .postTerminator,
        help: ArgumentHelp("After --: the `Bench run` options of the workload, for --update (default: the baseline's own, or the CI profile).", valueName: "run-options")
    )
    var workload: [String] = []

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
        // A baseline about to be rewritten may not exist yet; one to judge against must.
        let existing: Baseline?
        if update {
            existing = try? storedBaseline()
        } else {
            do {
                existing = try storedBaseline()
            } catch {
                throw ValidationError(error.description)
            }
        }
        if let run {
            guard workload.isEmpty else {
                throw ValidationError("--run \(run) judges a run already made: the workload options after -- do not apply")
            }
            guard FileManager.default.fileExists(atPath: URL(fileURLWithPath: run).appendingPathComponent("summary.csv").path) else {
                throw ValidationError("--run \(run) holds no summary.csv")
            }
            return
        }
        if let given = workload.first(where: { ["--out", "--db", "--clock"].contains($0.split(separator: "=").first.map(String.init) ?? $0) }) {
            throw ValidationError("\(given) after --: give it to Bench check itself (before --), which passes it on to the run")
        }
        let workload = try resolvedWorkload(existing)
        if Baseline.countsHotPaths(workload) {
            do {
                try HotPathCounter().checkTools()
            } catch {
                throw ValidationError(error.description)
            }
        }
        // The run's own checks, which make its --out folder: a workload refused leaves none behind.
        let existed = FileManager.default.fileExists(atPath: out)
        do {
            _ = try Run.parse(workload + ["--out", out])
        } catch {
            if !existed { try? FileManager.default.removeItem(atPath: out) }
            throw ValidationError("the workload \(workload.joined(separator: " ")): \(Run.message(for: error))")
        }
    }

    /// The `--baseline` file as it stands.
    private func storedBaseline() throws(BenchError) -> Baseline {
        try Baseline.load(from: URL(fileURLWithPath: baseline))
    }

    /// The workload to run: the options after `--`, which must be `existing`'s own unless it is being rewritten, or
    /// else `existing`'s, or the CI profile's for a baseline not written yet.
    private func resolvedWorkload(_ existing: Baseline?) throws -> [String] {
        if workload.isEmpty { return existing?.runWorkload ?? Baseline.ciWorkload }
        if !update, let existing, existing.runWorkload != workload {
            throw ValidationError(
                "\(baseline) was measured on the workload `\(existing.runWorkload.joined(separator: " "))`, not `\(workload.joined(separator: " "))`: leave the options out to run its own, or rewrite it with --update"
            )
        }
        return workload
    }

    func run() async throws {
        let formats = try GateFormat.parse(self.formats)
        // A machine-readable judgement alone on standard output: the run's tables go to standard error.
        let resultOnly = formatOut == nil && formats[0] != .text
        let existing = try? storedBaseline()
        let workload = try resolvedWorkload(existing)
        let directory = try await Terminal.$toStandardError.withValue(resultOnly) { try await runDirectory(workload) }
        let figures = try RunFigures(directory: directory)
        let url = URL(fileURLWithPath: baseline)
        if update {
            let record = try RunRecord.load(from: directory.appendingPathComponent("run.json"))
            var fresh = BaselinePolicy.figures(for: figures)
            if let existing {
                fresh = fresh.map { figure in Self.keepingJudgement(of: existing, for: figure) }
                // A backend this run did not measure keeps its figures as they were.
                fresh += existing.figures.filter { figure in
                    figure.backend.map { !figures.backends.contains($0) } ?? false
                }
            }
            // In one order whichever backend was measured last, so the diff of an update names only what moved.
            fresh.sort { $0.name < $1.name }
            let updated = Baseline(
                origin: .init(gitRevision: record.gitRevision, measuredAt: record.startedAt, machine: record.machine, command: record.command),
                // A run judged from its folder keeps the workload the baseline had.
                workload: run == nil ? workload : existing?.workload,
                figures: fresh
            )
            try updated.validate()
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try updated.write(to: url)
            Terminal.show("Baseline \(url.path) rewritten from \(directory.path): \(fresh.count) figures.")
            return
        }
        let kept = try existing ?? storedBaseline()
        let check = BaselineCheck(baseline: kept, run: figures)
        try check.csv.text.write(to: directory.appendingPathComponent("gate.csv"), atomically: true, encoding: .utf8)
        try GateReport.html(check, baseline: kept).write(to: directory.appendingPathComponent("gate.html"), atomically: true, encoding: .utf8)
        if let formatOut {
            let folder = URL(fileURLWithPath: formatOut, isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for format in formats {
                try format.render(check).write(to: folder.appendingPathComponent(format.fileName), atomically: true, encoding: .utf8)
            }
            Terminal.show(check.report, terminator: "")
            if formats.contains(.github) { Terminal.show(GateFormat.github.render(check), terminator: "") }
            Terminal.show("Gate written as \(formats.map(\.rawValue).joined(separator: ", ")) to \(folder.path).")
        } else {
            Terminal.result(formats[0].render(check))
        }
        if check.exitCode != 0 { throw ExitCode(check.exitCode) }
    }

    /// The run to judge: `--run`, or the workload run now, then (for the CI profile) its hot paths counted into
    /// `hotpath.csv`.
    private func runDirectory(_ workload: [String]) async throws -> URL {
        if let run { return URL(fileURLWithPath: run, isDirectory: true) }
        let command = try Run.parse(workload + ["--out", out] + (db.map { ["--db", $0] } ?? []))
        try await command.run()
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        guard Baseline.countsHotPaths(workload) else { return directory }
        let counts = try await HotPathCounter().count(progress: ProgressLine())
        let table = HotPathCounts.table(counts)
        try table.text.write(to: directory.appendingPathComponent(HotPathCounts.fileName), atomically: true, encoding: .utf8)
        Terminal.show(SummaryTable.render([table.columns] + table.rows))
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
