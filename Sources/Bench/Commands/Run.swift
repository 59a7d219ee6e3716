import ArgumentParser
import BenchKit
import Foundation

/// `Bench run`: one scenario, the strategies chosen.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run one scenario: the chosen strategies on one seeded workload.")

    @OptionGroup var scenarioOptions: ScenarioOptions

    @Option(help: "Directory for the runs' SQLite files (default: a temporary folder, removed afterwards).")
    var db: String?

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let startedAt = Date()
        let workload = try scenarioOptions.workload()
        let logger = benchLogger()
        let results: [StrategyResult]
        switch scenarioOptions.scenario {
        case .comparison:
            results = try await ComparisonRun(scenario: workload, progress: ProgressLine(), logger: logger)
                .run(databaseDirectory: db.map { URL(fileURLWithPath: $0, isDirectory: true) })
        case .faults:
            results = try await FaultRun(base: workload, progress: ProgressLine(), logger: logger).run()
        }
        print(SummaryTable.strategies(results))
        // A profile measures its DB cells too: the CI profile keeps the 100k-row speed-up.
        var cells: [DBCostCell] = []
        var parameters = ScenarioOptions.describe(workload)
        parameters["scenario"] = scenarioOptions.scenario.rawValue
        var receiver: ReceiverResult?
        if let benchmark = scenarioOptions.profile?.receiver {
            let measured = try await Receiver.measure(benchmark, progress: ProgressLine(), logger: logger)
            print(SummaryTable.receiver(measured))
            receiver = measured
            parameters.merge(Receiver.describe(benchmark)) { first, _ in first }
        }
        if let sweep = scenarioOptions.profile?.dbCost {
            cells = try await DBCost.sweep(sweep, progress: ProgressLine())
            print(SummaryTable.dbCost(cells))
            parameters.merge(DBCost.describe(sweep)) { first, _ in first }
        }
        if scenarioOptions.scenario == .faults {
            parameters["strategies"] = Set(results.map(\.strategy.description)).sorted().joined(separator: " ")
        }
        try output.write(
            results: results,
            dbCost: cells,
            receiver: receiver,
            command: "Bench run" + (scenarioOptions.profile.map { " --profile \($0.rawValue)" } ?? "")
                + (scenarioOptions.scenario == .faults ? " --scenario faults" : ""),
            seed: workload.seed,
            timeScale: workload.timeScale,
            parameters: parameters,
            startedAt: startedAt
        )
    }
}
