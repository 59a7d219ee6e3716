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
        let scenario = try scenarioOptions.scenario()
        let results = try await ComparisonRun(scenario: scenario, progress: ProgressLine(), logger: benchLogger())
            .run(databaseDirectory: db.map { URL(fileURLWithPath: $0, isDirectory: true) })
        print(SummaryTable.strategies(results))
        // A profile measures its DB cells too: the CI profile keeps the 100k-row speed-up.
        var cells: [DBCostCell] = []
        var parameters = ScenarioOptions.describe(scenario)
        if let sweep = scenarioOptions.profile?.dbCost {
            cells = try await DBCost.sweep(sweep, progress: ProgressLine())
            print(SummaryTable.dbCost(cells))
            parameters.merge(DBCost.describe(sweep)) { first, _ in first }
        }
        try output.write(
            results: results,
            dbCost: cells,
            command: "Bench run" + (scenarioOptions.profile.map { " --profile \($0.rawValue)" } ?? ""),
            seed: scenario.seed,
            timeScale: scenario.timeScale,
            parameters: parameters,
            startedAt: startedAt
        )
    }
}
