import ArgumentParser
import BenchKit
import Foundation

/// Runs each strategy of a virtual `Bench run` workload in a process of its own (`Bench run ... --strategies S
/// --shard 0/1`), as many at once as the machine has cores, and reads each one's result back from its shard record.
/// Each process has a simulation thread of its own, so the strategies' runs use every core; and a run in one shard
/// is the run itself, every figure the same (``ShardMerge`` computes them from every document again).
struct StrategyProcesses {
    /// The `Bench run` options of the workload, without `--strategies`, `--shard` and `--out`.
    let arguments: [String]
    /// The same workload: the strategies to run, and what their models are computed on.
    let scenario: ScenarioSpec
    var width = max(1, ProcessInfo.processInfo.activeProcessorCount)

    func run(progress: ProgressLine) async throws -> [StrategyResult] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("async-flows-strategies-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (arguments, scenario, strategies) = (self.arguments, self.scenario, scenario.strategies)
        let program = HotPathCounter.thisProgram
        return try await ComparisonRun.inOrder(strategies.count, width: width) { index in
            let strategy = strategies[index]
            let label = "\(scenario.name) \(index + 1)/\(strategies.count) \(strategy)"
            progress.update("\(label): running in a process of its own")
            let out = folder.appendingPathComponent(String(index), isDirectory: true)
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            let log = out.appendingPathComponent("run.log")
            let status = try await ChildProcess.run(
                program, arguments: ["run"] + arguments + ["--strategies", strategy.description, "--shard", "0/1", "--out", out.path], log: log
            )
            guard status == 0 else {
                let tail = (try? String(contentsOf: log, encoding: .utf8)).map { String($0.suffix(1500)) } ?? ""
                throw BenchError("\(label) exited with status \(status):\n\(tail)")
            }
            let record = try ShardRecord.load(out.path)
            try ShardMerge.check([(out.path, record)])
            guard let result = try ShardMerge.merge([record], scenario: scenario).first else {
                throw BenchError("\(label) wrote no result")
            }
            progress.finish("\(label): \(result.completed)/\(result.documents) decided, \(String(format: "%.1f", result.wallDuration.secondsValue)) s")
            return result
        }
    }
}

extension LimitOptions {
    /// These options as `Bench run` takes them.
    var arguments: [String] {
        (vendor.vendor.map { ["--vendor", $0] } ?? []) + (maxInFlight.map { ["--max-in-flight", String($0)] } ?? [])
    }
}
