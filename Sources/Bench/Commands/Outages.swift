import ArgumentParser
import BenchKit
import Flows
import Foundation
import SimulationSupport

/// `Bench outages`: our receiver down for minutes to days, and what each strategy loses and recovers.
struct Outages: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take our receiver down for each outage length and measure, beside the model, what each strategy still does not know when it ends and how it recovers.",
        discussion: """
            Each cell runs in virtual time over real HTTP and SQLite: documents at --documents-per-day with reviews of \
            5 minutes to 4 hours (lognormal, median 40 minutes), over a 25 ms network, against a Help Desk retrying \
            webhooks on Svix's schedule (0 s, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; --retry-schedule to change it). \
            The outage begins once reviews of every length are in progress; the receiver answers every webhook 503 \
            without Retry-After until it ends. With webhook, our app then enables its endpoint again and asks the Help \
            Desk to replay what failed since the outage began; the hybrid's sweeps read the event feed meanwhile; a \
            poller does not depend on the receiver at all. A cell runs the documents decided around the outage, a \
            thinned sample of them past its budget, and gives every count at the day's rate. Writes outages.csv, \
            run.json and report.html with the outage chart.
            """
    )

    @Option(help: "Outage lengths, comma-separated, model time.")
    var outages = OutageMatrix.Options().outages.map(\.compactDescription).joined(separator: ",")

    @Option(help: "Strategies, comma-separated as in Bench run --strategies.")
    var strategies = OutageMatrix.Options().strategies.map(\.description).joined(separator: ",")

    @Option(help: "Mean submissions per model day.")
    var documentsPerDay = OutageMatrix.Options().documentsPerDay

    @Option(parsing: .unconditional, help: "Seed of every random draw.")
    var seed: UInt64 = 42

    @OptionGroup var webhooks: WebhookPolicyOptions

    @Option(help: "Directory for outages.csv, run.json, report.html and its chart.")
    var out = "results/outages"

    func validate() throws {
        _ = try options()
        try OutputOptions.prepare(out)
    }

    func options() throws -> OutageMatrix.Options {
        var options = OutageMatrix.Options()
        options.outages = try durationList(outages, option: "--outages", in: .seconds(1) ... .seconds(30 * 86_400))
        options.strategies = try parsing("--strategies") { try StrategySpec.parseList(strategies) }
        guard (1...10_000_000).contains(documentsPerDay) else { throw ValidationError("--documents-per-day must be from 1 to 10000000") }
        options.documentsPerDay = documentsPerDay
        options.seed = seed
        options.webhookPolicy = try webhooks.policy()
        return options
    }

    func run() async throws {
        let startedAt = Date()
        let options = try options()
        let cells = try await OutageMatrix(options: options, progress: ProgressLine(), logger: benchLogger()).run()
        Terminal.show(SummaryTable.outages(cells, documentsPerDay: options.documentsPerDay))
        let record = RunRecord(
            command: "Bench outages",
            seed: seed,
            timeScale: 1,
            parameters: [
                "outages": outages, "strategies": strategies, "documents_per_day": String(documentsPerDay),
                "retry_schedule": (options.webhookPolicy.schedule ?? .standard).delays.map(\.compactDescription).joined(separator: ","),
            ],
            startedAt: startedAt,
            durationSeconds: Date().timeIntervalSince(startedAt)
        )
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        try ResultFiles.write(to: directory, tables: [("outages.csv", ResultFiles.outages(cells, documentsPerDay: options.documentsPerDay))], run: record)
        try OutputOptions.report(directory, record: record)
        try OutputOptions.failIfIncomplete(cells.map(\.result))
    }
}
