import ArgumentParser
import BenchKit
import Flows
import Foundation
import MockHelpDesk
import SimulationSupport

/// `Bench plan`: what each strategy would cost and deliver at the user's own volume, by the analytic model.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan at your own volume: each strategy's requests, latency, DB writes and rate-limit headroom per day, by the model.",
        discussion: """
            Evaluates the strategies' analytic models over one day of your workload, at real time, without running \
            anything: --documents-per-day documents arriving evenly, each reviewed after a delay drawn from \
            --review-delay and --review-delay-distribution. For each strategy: requests per day (learning the verdict, \
            and wasted), efficiency, notification latency p50/p99/mean, DB writes per day, documents lost, and the \
            peak rate of reads against the vendor's --rate-limit. With --target-p99, also the cheapest member of each \
            polling family whose p99 meets the target. Writes plan.csv, run.json and report.html with the trade-off \
            chart. --verify then runs the same day in virtual time, each strategy of the plan over real HTTP and \
            SQLite, and writes the measured figures beside the model's, flagging those that differ by more than 3% \
            (requests) or 5% and 1 model second (latency). --vendor takes the read limit, webhook timeout and retry \
            schedule a vendor publishes; --rate-limit and the other options override them.

            Distributions: uniform spreads over --review-delay's range; exponential:MEAN (such as exponential:1h) and \
            lognormal:MEDIAN,SIGMA (such as lognormal:40m,0.8, sigma of ln D) are truncated to the range when one is \
            given; empirical:FILE.csv resamples observed delays, one a row, each a duration (90s, 20m, 1.5h) or a \
            number of seconds, with an optional header, or with several columns the one headed delay, delay_s, \
            delay_seconds or review_delay; a row that is not a delay is refused with its line number.
            """
    )

    @Option(parsing: .unconditional, help: "Documents submitted per day, spread evenly over it.")
    var documentsPerDay: Int

    @Option(help: "Range of review delays, such as 5m...4h: uniform spreads over it, other distributions are truncated to it. Required, unless --review-delay-distribution names another shape, whose draws are then unbounded.", transform: DurationRangeArgument.parse)
    var reviewDelay: DurationRangeArgument?

    @Option(help: ArgumentHelp("How review delays are distributed: \(DelayDistribution.shapeUsage) (default uniform).", valueName: "distribution"))
    var reviewDelayDistribution: String?

    @Option(help: "The vendor's rate limit on our reads (polls, feed reads, fetches, streams opened): COUNT/PERIOD in fixed windows (400/m, 190/10s, 5000/h) or COUNT/PERIOD,bucket:BURST for a token bucket (2/s,bucket:40).")
    var rateLimit: String?

    @Option(help: "A stricter limit on the event feed alone, in --rate-limit's form (Zendesk's incremental exports: 10/m).")
    var feedRateLimit: String?

    @OptionGroup var limits: LimitOptions

    @Option(help: ArgumentHelp("One-way delay between our app and the vendor, model time: \(NetworkDelay.usage) (default 0).", valueName: "delay"))
    var networkDelay: String?

    @Flag(help: "Run the plan's day in virtual time, each strategy over real HTTP and SQLite, and write the measured figures beside the model's.")
    var verify = false

    @Option(parsing: .unconditional, help: "With --verify: the most documents a strategy runs on (fewer when its requests would pass --verify-budget).")
    var verifyDocuments = PlanVerification.Options().documents

    @Option(parsing: .unconditional, help: "With --verify: requests a strategy's run may make by its model; an expensive strategy runs on fewer documents, its figures per document scaled to the day.")
    var verifyBudget = PlanVerification.Options().requestBudget

    @Option(help: "With --verify: virtual only (the day in model time; the wall clock cannot run a day in minutes).")
    var clock = RunClock.virtual

    @Option(parsing: .unconditional, help: "The busiest hour's submissions over the day's hourly average (1: even over the day; 24: the whole day in one hour).")
    var peakFactor = 1.0

    @Option(parsing: .unconditional, help: "Share of webhooks the vendor never delivers, from 0 to 1 (the recommendation prices the loss at 0.01 when it is not given).")
    var dropRate = 0.0

    @Option(parsing: .unconditional, help: "Documents a day the recommended strategy may lose to dropped webhooks (default 0).")
    var lossBudget = 0.0

    @Option(help: "Comma-separated strategies to compare, as in Bench run --strategies (default: every strategy of the suite).")
    var strategies: String?

    @Option(help: "The notification latency p99 to meet, such as 60s: names the cheapest member of each polling family that meets it.", transform: DurationArgument.parse)
    var targetP99: DurationArgument?

    @Option(help: "Comma-separated polling families searched for --target-p99 and drawn in the chart: \(PollingFamily.allCases.map(\.rawValue).joined(separator: ",")).")
    var families = PollingFamily.allCases.map(\.rawValue).joined(separator: ",")

    @Option(parsing: .unconditional, help: "Seed of the models that draw their own schedules (backoff's jitter).")
    var seed: UInt64 = 42

    @Option(help: "Directory for plan.csv, run.json, report.html and its charts.")
    var out = "results/plan"

    func validate() throws {
        if verify, clock == .wall {
            throw ValidationError("--verify runs the plan's day in virtual time; --clock wall cannot run a day in minutes")
        }
        guard (1...1_000_000).contains(verifyDocuments) else { throw ValidationError("--verify-documents must be from 1 to 1000000") }
        guard verifyBudget >= 100 else { throw ValidationError("--verify-budget must be at least 100 requests") }
        do {
            try input().validate()
        } catch let error as BenchError {
            throw ValidationError(error.description)
        }
        try OutputOptions.prepare(out)
    }

    /// The plan's input as the options give it.
    func input() throws -> PlanInput {
        guard (1...1_000_000_000).contains(documentsPerDay) else { throw ValidationError("--documents-per-day must be from 1 to 1000000000") }
        let shapeName = (reviewDelayDistribution ?? "uniform").split(separator: ":").first.map(String.init) ?? ""
        if reviewDelay == nil, shapeName == "uniform" {
            throw ValidationError("--review-delay: a uniform distribution needs a range, such as --review-delay 5m...4h")
        }
        let delay = try parseReviewDelay(shape: reviewDelayDistribution, range: reviewDelay, uniformRange: .seconds(2) ... .seconds(5))
        let listed = try strategies.map { text in try parsing("--strategies") { try StrategySpec.parseList(text) } } ?? StrategySpec.all
        let (chosen, apart) = try limits.offered(listed, given: strategies != nil)
        var input = PlanInput(documentsPerDay: documentsPerDay, reviewDelay: delay, strategies: chosen)
        input.notOffered = apart
        input.vendor = try limits.vendor.profile()
        if let rateLimit { input.rateLimit = try parsing("--rate-limit") { try RateLimit.parse(rateLimit, field: "") } }
        if let feedRateLimit { input.feedRateLimit = try parsing("--feed-rate-limit") { try RateLimit.parse(feedRateLimit, field: "") } }
        if let maxInFlight = limits.maxInFlight { input.maxInFlight = maxInFlight }
        if let networkDelay { input.network = try parsing("--network-delay") { try NetworkDelay.parse(networkDelay) } }
        input.peakFactor = peakFactor
        input.dropRate = dropRate
        input.lossBudget = lossBudget
        input.targetP99 = targetP99?.duration
        input.families = try parsing("--families") { try PollingFamily.parseList(families) }
        if let vendor = input.vendor, !limits.includeUnoffered {
            input.families = input.families.filter { vendor.availability(of: $0.strategy(.seconds(1))).isOffered }
        }
        input.seed = seed
        return input
    }

    func run() async throws {
        let startedAt = Date()
        let input = try input()
        let plan = Plan(input)
        Terminal.show(SummaryTable.plan(plan), terminator: "")
        var cells: [PlanVerification.Cell]?
        if verify {
            var options = PlanVerification.Options()
            options.documents = verifyDocuments
            options.requestBudget = verifyBudget
            let verified = try await PlanVerification(plan: plan, options: options).run(progress: ProgressLine(), logger: benchLogger())
            Terminal.show(SummaryTable.planVerification(plan, verified), terminator: "")
            Terminal.show(PlanRecommendation(plan).recheckLine(verified))
            cells = verified
        }
        var parameters = [
            "documents_per_day": String(input.documentsPerDay),
            "review_delay": input.reviewDelay.description,
            "peak_factor": CSVTable.number(input.peakFactor),
            "drop_rate": CSVTable.number(input.dropRate, digits: 4),
            "strategies": input.strategies.map(\.description).joined(separator: " "),
            "families": input.families.map(\.rawValue).joined(separator: " "),
        ]
        if let limit = input.helpDesk.faults.rateLimit { parameters["rate_limit"] = limit.description }
        if let limit = input.helpDesk.faults.feedRateLimit { parameters["feed_rate_limit"] = limit.description }
        if let vendor = input.vendor { parameters["vendor"] = vendor.name }
        parameters["max_in_flight"] = String(input.maxInFlight)
        parameters["network_delay"] = input.network.description
        if let cells {
            parameters["verify_documents"] = String(verifyDocuments)
            parameters["verify_budget"] = String(verifyBudget)
            parameters["verify_flagged"] = String(cells.filter { !$0.flags.isEmpty }.count)
        }
        if let targetP99 { parameters["target_p99"] = targetP99.duration.compactDescription }
        let recommendation = PlanRecommendation(plan)
        parameters["recommended"] = recommendation.chosen?.strategy.description ?? "none"
        if let cells { parameters["recommended_verified"] = recommendation.recheck(cells).chosen?.strategy.description ?? "none" }
        parameters["loss_budget"] = CSVTable.number(input.lossBudget)
        let record = RunRecord(
            command: "Bench plan",
            seed: input.seed,
            timeScale: 1,
            parameters: parameters,
            startedAt: startedAt,
            durationSeconds: Date().timeIntervalSince(startedAt)
        )
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        try ResultFiles.write(to: directory, tables: [("plan.csv", ResultFiles.plan(plan, verification: cells))], run: record)
        try OutputOptions.report(directory, record: record)
    }
}
