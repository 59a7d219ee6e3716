import ArgumentParser
import BenchKit
import Flows
import Foundation

/// `Bench` (or `Bench suite`): the default suite.
struct Suite: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the default suite: every strategy on 1,000 documents, the fault scenarios, the receiver load test, then the DB cost sweep (about 2 minutes).",
        discussion: """
            The comparison submits 1,000 documents at Poisson arrivals of 125 per wall second, time scale 0.1, seed 42, \
            to every strategy in turn. The fault scenarios run 60 documents (400 per second, time scale 0.01) through each fault with \
            the strategies it concerns. The receiver load test drives the webhook receiver and its server's ceiling for 2 s each. The sweep times the receiver's update at 1k, 10k, 100k and 1M rows, with and without the \
            document_id index. Progress goes to stderr on a terminal.
            """
    )

    @OptionGroup var output: OutputOptions

    @Option(help: "Also run the DB cost sweep on this PostgreSQL database (postgres://USER@HOST:PORT/DATABASE): dbcost.csv gains its rows (about 15 s more).")
    var postgres: String?

    func validate() throws {
        _ = try postgresLocation()
    }

    private func postgresLocation() throws -> PostgresLocation? {
        guard let postgres else { return nil }
        do {
            guard case .postgres(let location) = try StoreLocation(parsing: postgres) else {
                throw ValidationError("--postgres must be a postgres:// URL")
            }
            return location
        } catch let error as StoreLocationError {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        let startedAt = Date()
        let logger = benchLogger()
        let progress = ProgressLine()
        let scenario = ScenarioSpec()
        let comparison = try await ComparisonRun(scenario: scenario, progress: progress, logger: logger).run(databaseDirectory: nil)
        let faults = try await FaultRun(progress: progress, logger: logger).run()
        let results = comparison + faults
        print(SummaryTable.strategies(results))
        let receiver = try await Receiver.measure(.short, progress: progress, logger: logger)
        print(SummaryTable.receiver(receiver))
        var cells = try await DBCost.sweep(DBCostSweep(), progress: progress)
        if let location = try postgresLocation() {
            cells += try await DBCost.sweep(DBCostSweep(), on: .postgres(location), progress: progress, logger: logger)
        }
        print(SummaryTable.dbCost(cells))
        try output.write(
            results: results,
            dbCost: cells,
            receiver: receiver,
            command: "Bench suite",
            seed: scenario.seed,
            timeScale: scenario.timeScale,
            parameters: ScenarioOptions.describe(scenario)
                .merging(DBCost.describe(DBCostSweep())) { first, _ in first }
                .merging(Receiver.describe(.short)) { first, _ in first }
                .merging(["dbcost_backends": Set(cells.map(\.backend)).sorted().joined(separator: ",")]) { first, _ in first },
            startedAt: startedAt
        )
    }
}
