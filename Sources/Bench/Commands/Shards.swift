import ArgumentParser
import BenchKit
import Foundation

/// `Bench run --shards N` and `--shard I/N`: one virtual run split by document into shards, each a process with a
/// Help Desk, an app and databases of its own (see ``Shard``), and put back together by ``ShardMerge``.
extension Run {
    /// Options `--shards` and `--shard` take out of the arguments each shard is given, with `--out`.
    static let shardOptions = ["--shards", "--shard", "--out"]

    func validateShards(database: RunDatabase?) throws {
        if let shards, !(1...Shard.maximumCount).contains(shards) {
            throw ValidationError("--shards must be from 1 to \(Shard.maximumCount)")
        }
        if let shard {
            do {
                _ = try Shard(parsing: shard)
            } catch {
                throw ValidationError("--shard \(shard): \(error)")
            }
        }
        let option = shard != nil ? "--shard" : (shards ?? 1) > 1 ? "--shards" : nil
        guard let option else { return }
        if shards != nil, shard != nil {
            throw ValidationError("--shards runs every shard and --shard one of them: give one")
        }
        if scenarioOptions.scenario != .comparison || scenarioOptions.profile?.includesFaults == true {
            throw ValidationError("\(option) splits one comparison: --scenario faults and --profile ci run several scenarios")
        }
        if database != nil {
            throw ValidationError("\(option): each shard keeps its databases in a temporary folder of its own; leave --db out")
        }
        do {
            let shard = try shard.map { try Shard(parsing: $0) } ?? Shard(index: 0, count: shards ?? 1)
            try shard.checkShardable(deployed(try scenarioOptions.workload()))
        } catch let error as BenchError {
            throw ValidationError("\(option): \(error)")
        }
    }

    /// This command's own arguments, `--shards`, `--shard` and `--out` left out: what describes the whole run.
    static func workloadArguments(_ arguments: [String] = CommandLine.arguments) -> [String] {
        var given = Array(arguments.drop { $0 != "run" }.dropFirst())
        var kept: [String] = []
        while let argument = given.first {
            given.removeFirst()
            if shardOptions.contains(argument) {
                if !given.isEmpty { given.removeFirst() }
            } else if !shardOptions.contains(where: { argument.hasPrefix($0 + "=") }) {
                kept.append(argument)
            }
        }
        return kept
    }

    /// What identifies the whole run's workload in a shard's record: its parameters and seed.
    func wholeRun() throws -> (scenario: ScenarioSpec, parameters: [String: String]) {
        let workload = deployed(try scenarioOptions.workload())
        var parameters = parameters(workload, database: nil)
        parameters["seed"] = String(workload.seed)
        return (workload, parameters)
    }

    /// Runs shard `shard` of the run and writes its record to `--out`; a failure is written too, then reported.
    func runShard(_ shard: Shard) async throws {
        let (whole, parameters) = try wholeRun()
        var record = try ShardRecord(
            shard: shard, arguments: Self.workloadArguments(), workload: parameters, documents: whole.documents, startedAt: Date()
        )
        let part = try shard.restrict(whole)
        let started = ContinuousClock.now
        do {
            let results = try await ComparisonRun(scenario: part, progress: ProgressLine(), logger: benchLogger()).run(databaseDirectory: nil)
            record.results = results.map(ShardRecord.Part.init)
        } catch {
            record.failure = "\(error)"
        }
        record.wallSeconds = started.duration(to: .now).secondsValue
        try record.write(to: output.directory)
        if let failure = record.failure { throw BenchError("shard \(shard): \(failure)") }
        let incomplete = record.results.filter { $0.incomplete != nil }.map(\.strategy)
        Terminal.show("Shard \(shard): \(part.documents) of \(whole.documents) documents, \(record.results.count) strategies in \(String(format: "%.1f", record.wallSeconds)) s\(incomplete.isEmpty ? "" : " (incomplete: \(incomplete.joined(separator: ", ")))"); its record is \(output.directory.appendingPathComponent(ShardRecord.fileName).path) (Bench merge puts the shards together).")
    }

    /// Runs every shard as a process of its own, all at once, then merges them into `--out`.
    func runShards(_ count: Int) async throws {
        let startedAt = Date()
        let program = HotPathCounter.thisProgram
        let arguments = Self.workloadArguments()
        let folders = (0..<count).map { output.directory.appendingPathComponent("shards/\($0)", isDirectory: true) }
        let progress = ProgressLine()
        progress.update("\(count) shards running")
        let statuses = try await withThrowingTaskGroup(of: (Int, Int32).self) { group in
            for (index, folder) in folders.enumerated() {
                try? FileManager.default.removeItem(at: folder)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                group.addTask {
                    let status = try await ChildProcess.run(program, arguments: ["run"] + arguments + ["--shard", "\(index)/\(count)", "--out", folder.path], log: folder.appendingPathComponent("shard.log"))
                    return (index, status)
                }
            }
            var statuses = Array(repeating: Int32(0), count: count)
            for try await (index, status) in group {
                statuses[index] = status
                progress.update("shard \(index)/\(count) ended with status \(status)")
            }
            return statuses
        }
        progress.finish("\(count) shards ran")
        if let failed = statuses.firstIndex(where: { $0 != 0 }) {
            let log = folders[failed].appendingPathComponent("shard.log")
            let tail = (try? String(contentsOf: log, encoding: .utf8)).map { String($0.suffix(2000)) } ?? ""
            FileHandle.standardError.write(Data("Error: shard \(failed)/\(count) exited with status \(statuses[failed]); its log \(log.path) ends:\n\(tail)\n".utf8))
            throw ExitCode.failure
        }
        try Merge.merge(folders.map(\.path), into: output, startedAt: startedAt)
    }
}

/// `Bench merge`: the shards of one run, put back together into the run's result files.
struct Merge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge the shards of one run (each written by Bench run --shard I/N --out DIR) into its result files.",
        discussion: "Every shard of the run must be given, once, from the same build of Bench, workload and seed, none failed. Counts add; latency quantiles, KS distances and the models on the run's draws are computed again on every document."
    )

    @Argument(help: "The shards' --out folders (or their shard.json files).")
    var shards: [String] = []

    @OptionGroup var output: OutputOptions

    func validate() throws {
        do {
            guard !shards.isEmpty else { throw ValidationError("give the shards' folders: Bench merge DIR...") }
            _ = try Self.load(shards)
        } catch {
            OutputOptions.discardIfCreated(output.out)
            throw error
        }
    }

    /// The records of `paths`, checked to be every shard of one run.
    static func load(_ paths: [String]) throws -> [ShardRecord] {
        var records: [(source: String, record: ShardRecord)] = []
        for path in paths {
            do {
                records.append((path, try ShardRecord.load(path)))
            } catch {
                throw ValidationError(error.description)
            }
        }
        do {
            try ShardMerge.check(records)
        } catch {
            guard error.failed else { throw ValidationError(error.description) }
            FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
        return records.map(\.record)
    }

    func run() async throws {
        try Self.merge(shards, into: output, startedAt: Date())
    }

    /// Merges the shards at `paths` and writes the run's files to `output`, as `Bench run` would have.
    static func merge(_ paths: [String], into output: OutputOptions, startedAt: Date) throws {
        let records = try load(paths)
        let run: Run
        do {
            run = try Run.parse(records[0].arguments + ["--out", output.out])
        } catch {
            throw ValidationError("the shards' workload \(records[0].arguments.joined(separator: " ")): \(Run.message(for: error))")
        }
        let (whole, _) = try run.wholeRun()
        let results = try ShardMerge.merge(records, scenario: whole)
        Terminal.show(SummaryTable.strategies(results))
        var parameters = run.parameters(whole, database: nil)
        parameters["shards"] = String(records.count)
        try output.write(
            results: results,
            dbCost: [],
            command: "Bench run --shards \(records.count)",
            seed: whole.seed,
            timeScale: whole.effectiveTimeScale,
            parameters: parameters,
            startedAt: min(startedAt, records.map(\.startedAt).min() ?? startedAt)
        )
    }
}
