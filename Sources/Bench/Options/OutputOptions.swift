import ArgumentParser
import BenchKit
import Foundation
import Logging
import ServerSupport
import Synchronization

/// Where a run writes its result files.
struct OutputOptions: ParsableArguments {
    @Option(help: "Directory for summary.csv, latency.csv, dbcost.csv, receiver.csv, transport.csv, outages.csv, run.json, report.html and its charts.")
    var out = "results/latest"

    var directory: URL { URL(fileURLWithPath: out, isDirectory: true) }

    /// Creates the directory now, so an unusable `--out` fails before the run, not after it.
    func validate() throws {
        try Self.prepare(out)
    }

    /// Creates the folder `out` names and checks that it is writable, naming `--out` when it is not.
    static func prepare(_ out: String) throws {
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        do {
            if !FileManager.default.fileExists(atPath: directory.path) { created.withLock { _ = $0.insert(directory.path) } }
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ValidationError("--out \(out): the directory cannot be created (\(error.localizedDescription))")
        }
        guard FileManager.default.isWritableFile(atPath: directory.path) else {
            throw ValidationError("--out \(out): the directory is not writable")
        }
    }

    /// Folders ``prepare(_:)`` created in this process.
    private static let created = Mutex<Set<String>>([])

    /// Removes the folder `out` names if ``prepare(_:)`` created it and it is still empty: a command whose own checks,
    /// run after its option groups', refuse its options leaves nothing behind.
    static func discardIfCreated(_ out: String) {
        let path = URL(fileURLWithPath: out, isDirectory: true).path
        guard created.withLock({ $0.contains(path) }), (try? FileManager.default.contentsOfDirectory(atPath: path))?.isEmpty == true else { return }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Renders the report of the files just written to `directory` and says where they are.
    static func report(_ directory: URL, record: RunRecord) throws {
        let report = try ReportWriter.write(run: directory)
        Terminal.show("Results written to \(directory.path) in \(String(format: "%.1f", record.durationSeconds)) s; open \(report.path) for the charts.")
    }

    func write(
        results: [StrategyResult],
        dbCost: [DBCostCell],
        receiver: ReceiverResult? = nil,
        transport: [TransportResult] = [],
        outages: (cells: [OutageMatrix.Cell], documentsPerDay: Int)? = nil,
        command: String,
        seed: UInt64,
        timeScale: Double,
        parameters: [String: String],
        startedAt: Date
    ) throws {
        let record = RunRecord(
            command: command,
            seed: seed,
            timeScale: timeScale,
            parameters: parameters,
            startedAt: startedAt,
            durationSeconds: Date().timeIntervalSince(startedAt),
            harnessOverhead: .measured(in: results)
        )
        try ResultFiles.write(to: directory, results: results, dbCost: dbCost, receiver: receiver, transport: transport, run: record)
        if let outages {
            try ResultFiles.outages(outages.cells, documentsPerDay: outages.documentsPerDay).text
                .write(to: directory.appendingPathComponent("outages.csv"), atomically: true, encoding: .utf8)
        }
        try Self.report(directory, record: record)
        try Self.failIfIncomplete(results + (outages?.cells.map(\.result) ?? []))
    }

    /// Once a run's files are written: when any strategy's run stopped before it finished (its rows say
    /// `incomplete`), says why on stderr and exits 1, so a partial run is never taken for a finished one.
    static func failIfIncomplete(_ results: [StrategyResult]) throws {
        let stopped = results.filter { $0.incomplete != nil }
        guard !stopped.isEmpty else { return }
        for result in stopped {
            FileHandle.standardError.write(Data("Error: \(result.scenario) \(result.strategy) did not finish: \(result.incomplete ?? "")\n".utf8))
        }
        FileHandle.standardError.write(Data("Error: the run is incomplete; its files are written, their incomplete rows are partial.\n".utf8))
        throw ExitCode.failure
    }
}

/// The logger of a benchmark run: warnings and errors on stderr.
func benchLogger() -> Logger {
    LoggingSystem.bootstrap { label in
        var handler = LazyMetadataLogHandler(StreamLogHandler.standardError(label: label))
        handler.logLevel = .warning
        return handler
    }
    return Logger(label: "Bench")
}
