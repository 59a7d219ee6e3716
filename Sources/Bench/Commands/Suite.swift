import ArgumentParser
import BenchKit
import Flows
import Foundation

/// `Bench` (or `Bench suite`): the default suite.
struct Suite: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the default suite: every strategy on 1,000 documents, the fault scenarios, a real-scale cell and the receiver outage matrix in virtual time, the receiver load test, then the DB cost sweep.",
        discussion: """
            The comparison submits 1,000 documents at Poisson arrivals of 12.5 per model second, seed 42, to every \
            strategy in turn, in virtual time: reviews of 2-5 s as they are, nothing compressed. The fault scenarios run \
            60 documents (4 per model second) through each fault with the strategies it concerns. The real-scale cell \
            runs 2,000 documents at 20,000 a day, reviews of 5 minutes to 4 hours, over a 25 ms network, through \
            poll-fixed:60s, poll-backoff:60s,2,16m, long-poll:300s, webhook and the hybrid, each strategy in a process \
            of its own. The outage matrix takes our \
            receiver down for 1 minute, 1 hour, 6 hours, 30 hours and 3 days at 20,000 documents a day, for webhook (our \
            app replaying what failed afterwards), the hybrid and poll-fixed:60s (see Bench outages). With --clock wall \
            the comparison and faults run compressed on the wall clock (time scales 0.1 and 0.01) instead, without the \
            real-scale cell and the outage matrix. The receiver load test drives the webhook receiver and its server's ceiling for 2 s each \
            (wall clock). The sweep times the receiver's update at 1k, 10k, 100k and 1M rows, with and without the \
            document_id index. Progress goes to stderr on a terminal.
            """
    )

    @OptionGroup var output: OutputOptions

    @OptionGroup var executor: ExecutorOptions

    @Option(help: "Also run the DB cost sweep on this PostgreSQL database (postgres://USER@HOST:PORT/DATABASE): dbcost.csv gains its rows (about 15 s more).")
    var postgres: String?

    @Option(help: "virtual (default): the comparison, the faults and the real-scale cell in virtual time; wall: the comparison and faults compressed on the wall clock as their time scales say, without the real-scale cell.")
    var clock = RunClock.virtual

    @OptionGroup var limits: LimitOptions

    func validate() throws {
        _ = try postgresLocation()
    }

    /// `scenario` with the vendor and the in-flight limit chosen.
    private func configured(_ scenario: ScenarioSpec) throws -> ScenarioSpec {
        var scenario = scenario
        try limits.apply(to: &scenario)
        scenario.strategies = try limits.offered(scenario.strategies, given: false).kept
        return scenario
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
        let virtual = clock == .virtual
        let scenario = try configured(virtual ? ScenarioSpec().inVirtualTime() : ScenarioSpec())
        let comparison = try await ComparisonRun(scenario: scenario, progress: progress, logger: logger).run(databaseDirectory: nil)
        let faultBase = try configured(virtual ? FaultScenario.baseWorkload.inVirtualTime() : FaultScenario.baseWorkload)
        let faults = try await FaultRun(base: faultBase, progress: progress, logger: logger).run()
        // Each strategy of the real-scale cell in a process of its own, two at a time on two cores.
        let realScale = virtual
            ? try await StrategyProcesses(arguments: ["--profile", Profile.realScale.rawValue] + limits.arguments, scenario: try configured(.realScale)).run(progress: progress)
            : []
        let results = comparison + faults + realScale
        Terminal.show(SummaryTable.strategies(results))
        if let note = scenario.vendor?.notCompared(try limits.offered(ScenarioSpec().strategies, given: false).apart) { Terminal.show(note) }
        let matrix = virtual ? try await OutageMatrix(progress: progress, logger: logger).run() : []
        if virtual { Terminal.show(SummaryTable.outages(matrix, documentsPerDay: OutageMatrix.Options().documentsPerDay)) }
        let receiver = try await Receiver.measure(.short, progress: progress, logger: logger)
        Terminal.show(SummaryTable.receiver(receiver))
        var cells = try await DBCost.sweep(DBCostSweep(), progress: progress)
        if let location = try postgresLocation() {
            cells += try await DBCost.sweep(DBCostSweep(), on: .postgres(location), progress: progress, logger: logger)
        }
        Terminal.show(SummaryTable.dbCost(cells))
        try output.write(
            results: results,
            dbCost: cells,
            receiver: receiver,
            outages: virtual ? (matrix, OutageMatrix.Options().documentsPerDay) : nil,
            command: "Bench suite",
            seed: scenario.seed,
            timeScale: scenario.effectiveTimeScale,
            parameters: ScenarioOptions.describe(scenario)
                .merging(DBCost.describe(DBCostSweep())) { first, _ in first }
                .merging(Receiver.describe(.short)) { first, _ in first }
                .merging(["dbcost_backends": Set(cells.map(\.backend)).sorted().joined(separator: ",")]) { first, _ in first },
            startedAt: startedAt
        )
    }
}
