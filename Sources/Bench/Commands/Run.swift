import ArgumentParser
import BenchKit
import Flows
import Foundation

/// `Bench run`: one scenario, the strategies chosen.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run one scenario: the chosen strategies on one seeded workload.")

    @OptionGroup var scenarioOptions: ScenarioOptions

    @Option(help: "Where each strategy's database goes: a folder for its SQLite file (default: a temporary folder, removed afterwards), or postgres://USER@HOST:PORT/DATABASE (a schema per strategy, emptied first).")
    var db: String?

    @Option(parsing: .unconditional, help: "App instances over the one database, each its own server (submissions go round them); more than one needs --db postgres://...")
    var instances = 1

    @Option(help: "How long an instance's lease on a document or a feed lasts unrenewed, model time (default 3s; with --instances).", transform: DurationArgument.parse)
    var lease: DurationArgument?

    @Option(help: "The HTTP client library our app's Help Desk client runs on.")
    var client = HelpDeskTransportKind.asyncHTTPClient

    @Option(help: "Stop instance 0 at this model time from the start, its leases left held, and start it again after twice the lease, such as 10s (with --instances).", transform: DurationArgument.parse)
    var stopInstance: DurationArgument?

    @Option(parsing: .unconditional, help: "Split the run into this many shards, each its own process on this machine, and merge their results (virtual clock; see Bench merge).")
    var shards: Int?

    @Option(help: "Run only shard INDEX/COUNT of the run, such as 0/2, and write its shard.json to --out for Bench merge: one run spread over machines.")
    var shard: String?

    func validate() throws {
        do {
            try validateDeployment()
        } catch {
            OutputOptions.discardIfCreated(output.out)
            throw error
        }
    }

    /// The checks of this command's own options, which run after its option groups' (`--out` is made by then).
    private func validateDeployment() throws {
        let database = try database()
        try validateShards(database: database)
        guard (1...16).contains(instances) else { throw ValidationError("--instances must be from 1 to 16") }
        if instances > 1, case .postgres = database {} else if instances > 1 {
            throw ValidationError("--instances above 1 needs a database they can share: --db postgres://USER@HOST:PORT/DATABASE")
        }
        if stopInstance != nil, instances < 2 { throw ValidationError("--stop-instance needs --instances 2 or more: the others take over") }
        if let lease, lease.duration <= .zero { throw ValidationError("--lease must be a positive duration") }
    }

    /// The workload with its instances, leases and stop.
    func deployed(_ workload: ScenarioSpec) -> ScenarioSpec {
        var workload = workload
        workload.instances = instances
        workload.transport = client
        if let lease { workload.lease = lease.duration }
        if let stopInstance { workload.instanceStop = InstanceStop(at: stopInstance.duration, down: workload.lease * 2) }
        return workload
    }

    /// `--db` as a run's database, or `nil` for SQLite files in a temporary folder.
    func database() throws -> RunDatabase? {
        guard let db else { return nil }
        do {
            switch try StoreLocation(parsing: db) {
            case .postgres(let location): return .postgres(location)
            case .sqlite(let path): return .sqlite(folder: URL(fileURLWithPath: path, isDirectory: true))
            }
        } catch {
            throw ValidationError(error.description)
        }
    }

    @OptionGroup var output: OutputOptions

    @OptionGroup var executor: ExecutorOptions

    func run() async throws {
        if let shard { return try await runShard(try Shard(parsing: shard)) }
        if let shards, shards > 1 { return try await runShards(shards) }
        let startedAt = Date()
        let workload = deployed(try scenarioOptions.workload())
        let logger = benchLogger()
        let database = try database()
        var results: [StrategyResult]
        switch (scenarioOptions.scenario, database) {
        case (.comparison, .sqlite(let folder)?):
            results = try await ComparisonRun(scenario: workload, progress: ProgressLine(), logger: logger).run(databaseDirectory: folder)
        case (.comparison, let database?):
            results = try await ComparisonRun(scenario: workload, progress: ProgressLine(), logger: logger).run(database: database)
        case (.comparison, nil):
            results = try await ComparisonRun(scenario: workload, progress: ProgressLine(), logger: logger).run(databaseDirectory: nil)
        case (.faults, _):
            results = try await FaultRun(base: workload, progress: ProgressLine(), logger: logger).run(database: database)
        }
        if scenarioOptions.scenario == .comparison, scenarioOptions.profile?.includesFaults == true {
            results += try await FaultRun(base: try scenarioOptions.faultWorkload(), progress: ProgressLine(), logger: logger).run(database: database)
        }
        Terminal.show(SummaryTable.strategies(results))
        if let note = workload.vendor?.notCompared(try scenarioOptions.notOffered()) { Terminal.show(note) }
        // A profile measures its DB cells too: the CI profile keeps the 100k-row speed-up.
        var cells: [DBCostCell] = []
        var parameters = parameters(workload, database: database)
        var receiver: ReceiverResult?
        if let benchmark = scenarioOptions.profile?.receiver {
            let measured = try await Receiver.measure(benchmark, progress: ProgressLine(), logger: logger)
            Terminal.show(SummaryTable.receiver(measured))
            receiver = measured
            parameters.merge(Receiver.describe(benchmark)) { first, _ in first }
        }
        if let sweep = scenarioOptions.profile?.dbCost {
            cells = try await DBCost.sweep(sweep, on: database, progress: ProgressLine(), logger: logger)
            Terminal.show(SummaryTable.dbCost(cells))
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
            timeScale: workload.effectiveTimeScale,
            parameters: parameters,
            startedAt: startedAt
        )
    }

    /// The run's parameters for `run.json`: its workload's and this command's own.
    func parameters(_ workload: ScenarioSpec, database: RunDatabase?) -> [String: String] {
        var parameters = ScenarioOptions.describe(workload)
        parameters["scenario"] = scenarioOptions.scenario.rawValue
        parameters["backend"] = database?.backendName ?? "sqlite"
        parameters["instances"] = String(instances)
        parameters["client"] = client.rawValue
        if instances > 1 { parameters["lease"] = workload.lease.compactDescription }
        if let stop = workload.instanceStop { parameters["instance_stop"] = "instance 0 at \(stop.at.compactDescription) for \(stop.down.compactDescription)" }
        return parameters
    }
}
