import ArgumentParser
import BenchKit
import Flows
import Foundation
import SimulationSupport

/// `Bench sweep`: each polling family across its parameter, the trade-off frontier of latency against requests.
struct Sweep: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sweep each polling family across its parameter: how often to poll, latency against requests per document.",
        discussion: """
            Runs poll-fixed, poll-conditional and poll-events at each --intervals, poll-backoff at each \
            --backoff-initials (factor 2, cap 16 times the initial delay), long-poll at each --long-poll-waits, and the \
            --references beside them, every one on the same seeded workload with its own Help Desk and database. \
            Writes sweep.csv (measured and modelled latency and requests per document at every point, and which points \
            are on the frontier), run.json and report.html with the trade-off charts. Runs in virtual time by \
            default (--clock wall compresses it through --time-scale instead). Keep the documents pending at once \
            (arrivals per model second × the mean review delay) under about 20: our app holds at most 32 requests in \
            flight, and past that long-polls queue behind each other where the model assumes each is held.
            """
    )

    @Option(help: "Comma-separated polling families to sweep: \(PollingFamily.allCases.map(\.rawValue).joined(separator: ",")).")
    var families = PollingFamily.allCases.map(\.rawValue).joined(separator: ",")

    @Option(help: "Intervals of poll-fixed, poll-conditional and poll-events, comma-separated, model time.")
    var intervals = Self.list(SweepSpec().intervals)

    @Option(help: "Initial delays of poll-backoff (factor 2, cap 16 times the initial delay), comma-separated, model time.")
    var backoffInitials = Self.list(SweepSpec().backoffInitials)

    @Option(help: "Waits of long-poll, comma-separated, model time (at most 300s, the Help Desk's longest).")
    var longPollWaits = Self.list(SweepSpec().longPollWaits)

    @Option(help: "Strategies run once each beside the families, comma-separated as in Bench run --strategies, or none.")
    var references = SweepSpec().references.map(\.description).joined(separator: ",")

    @Option(help: "Documents every point submits.")
    var documents = SweepSpec().scenario.documents

    @Option(parsing: .unconditional, help: "Mean submissions per second, Poisson arrivals, open-loop: per model second on the virtual clock (default 6), per wall second on the wall clock (default 60).")
    var rate: Double?

    @OptionGroup var time: TimeOptions

    @Option(parsing: .unconditional, help: "Seed of every random draw; every point gets the same documents, delays and verdicts.")
    var seed: UInt64 = 42

    @OptionGroup var reviewDelay: ReviewDelayOptions

    @OptionGroup var limits: LimitOptions

    @Option(help: "Directory for sweep.csv, run.json, report.html and its charts.")
    var out = "results/sweep"

    func validate() throws {
        guard (1...100_000).contains(documents) else { throw ValidationError("--documents must be from 1 to 100000") }
        if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate must be a positive number") }
        guard !(try spec().points.isEmpty) else { throw ValidationError("nothing to run: no families and no references") }
        try OutputOptions.prepare(out)
    }

    /// The sweep the options describe.
    func spec() throws -> SweepSpec {
        var spec = SweepSpec()
        spec.families = families == "none" ? [] : try parsing("--families") { try PollingFamily.parseList(families) }
        spec.intervals = try durationList(intervals, option: "--intervals", in: .milliseconds(10) ... .seconds(3600))
        spec.backoffInitials = try durationList(backoffInitials, option: "--backoff-initials", in: .milliseconds(10) ... .seconds(3600))
        spec.longPollWaits = try durationList(longPollWaits, option: "--long-poll-waits", in: .milliseconds(100) ... .seconds(300))
        spec.references = references == "none" ? [] : try parsing("--references") { try StrategySpec.parseList(references) }
        spec.scenario = time.clocked(spec.scenario)
        spec.scenario.documents = documents
        if let rate { spec.scenario.arrivalRate = rate }
        spec.scenario.seed = seed
        if let delay = try reviewDelay.distribution() { spec.scenario.reviewDelay = delay }
        try limits.apply(to: &spec.scenario)
        // With a vendor, only what it offers: the families whose polling it offers, the references it offers (one the
        // user named that it does not is refused).
        if let vendor = spec.scenario.vendor, !limits.includeUnoffered {
            spec.families = spec.families.filter { vendor.availability(of: $0.strategy(.seconds(1))).isOffered }
            let defaultReferences = SweepSpec().references.map(\.description).joined(separator: ",")
            spec.references = references == defaultReferences
                ? vendor.split(spec.references).offered
                : try limits.offered(spec.references, given: true, option: "--references").kept
        }
        return spec
    }

    private static func list(_ durations: [Duration]) -> String {
        durations.map(\.compactDescription).joined(separator: ",")
    }

    func run() async throws {
        let startedAt = Date()
        let spec = try spec()
        let results = try await SweepRun(spec: spec, progress: ProgressLine(), logger: benchLogger()).run()
        Terminal.show(SummaryTable.sweep(results))
        var parameters = ScenarioOptions.describe(spec.scenario)
        parameters["strategies"] = nil
        parameters["families"] = spec.families.map(\.rawValue).joined(separator: " ")
        parameters["intervals"] = Self.list(spec.intervals)
        parameters["backoff_initials"] = Self.list(spec.backoffInitials)
        parameters["long_poll_waits"] = Self.list(spec.longPollWaits)
        parameters["references"] = spec.references.map(\.description).joined(separator: " ")
        let record = RunRecord(
            command: "Bench sweep",
            seed: spec.scenario.seed,
            timeScale: spec.scenario.effectiveTimeScale,
            parameters: parameters,
            startedAt: startedAt,
            durationSeconds: Date().timeIntervalSince(startedAt),
            harnessOverhead: .measured(in: results.map(\.result))
        )
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        try ResultFiles.write(to: directory, tables: [("sweep.csv", ResultFiles.sweep(results))], run: record)
        try OutputOptions.report(directory, record: record)
        try OutputOptions.failIfIncomplete(results.map(\.result))
    }
}
