import Flows
import Foundation
import Logging
import MockHelpDesk
import SimulationSupport

/// `Bench plan --verify`: the plan's workload run in virtual time, each strategy of the plan over real HTTP and
/// SQLite, its measured figures beside the model's.
///
/// Each strategy runs on as many documents as its request budget allows (at most ``Options/documents``), arriving
/// at the day's rate. A strategy the vendor's limit throttles makes requests at the limit's pace, whatever its
/// schedule, for as long as documents are pending: it runs on a thinned copy of the day instead (arrivals and the
/// limit both a share `scale` of the day's), which keeps the documents pending per request allowed, and so each
/// document's figures, while it costs a share of the requests. Every figure per document is then scaled to the day.
public struct PlanVerification: Sendable {
    public struct Options: Sendable {
        /// The most documents a strategy is verified on.
        public var documents = 2_000
        /// Requests a strategy's run may make, by its model, which sets how many documents it runs on.
        public var requestBudget = 20_000
        /// The fewest documents a strategy is verified on, whatever its cost.
        public var minimumDocuments = 20

        public init() {}
    }

    /// One strategy's run beside its model.
    public struct Cell: Sendable {
        public var strategy: StrategySpec
        /// The share of the day's arrival rate and limits the run ran at.
        public var scale: Double
        public var result: StrategyResult
        /// The model on the run's own documents (their arrivals and review delays): what the run is compared with.
        public var model: StrategyModel
        /// The model's and the run's figures that differ beyond the tolerances, each with its reason.
        public var flags: [String]
        /// When the model on the run's documents differs from the model of the whole day (a run of part of the day
        /// has fewer documents pending at once while it fills up and drains), by how much: the run's figures per
        /// document then stand for those documents, not for a steady day.
        public var note: String?

        /// Documents the run used.
        public var documents: Int { result.documents }

        /// A count of the run's, per document, times `documentsPerDay`: the run's figure for the whole day.
        public func perDay(_ count: Int, documentsPerDay: Int) -> Double {
            Double(count) / Double(max(documents, 1)) * Double(documentsPerDay)
        }

        /// The busiest model minute of reads and second of webhook attempts, scaled back from a thinned day.
        public var peakReadsPerMinute: Double { Double(result.peakReadsPerMinute) / scale }
        public var peakDeliveriesPerSecond: Double { Double(result.peakDeliveriesPerSecond) / scale }
    }

    /// Requests per document agree within this share.
    public static let requestTolerance = 0.03
    /// Latencies agree within this share, or within ``latencyFloor`` seconds.
    public static let latencyTolerance = 0.05
    public static let latencyFloor = 1.0

    public let plan: Plan
    public let options: Options

    public init(plan: Plan, options: Options = Options()) {
        self.plan = plan
        self.options = options
    }

    /// The rows verified: the strategies compared and each family's cheapest, once each.
    public var rows: [PlanRow] {
        var seen: [StrategySpec] = []
        return plan.rows.filter { row in
            guard row.role != .curve, !seen.contains(row.strategy) else { return false }
            seen.append(row.strategy)
            return true
        }
    }

    /// The workload one row runs on.
    public func scenario(for row: PlanRow) -> (scenario: ScenarioSpec, scale: Double) {
        let input = plan.input
        let rate = Double(input.documentsPerDay) / PlanInput.day.secondsValue
        let longest = input.reviewDelay.upperBound?.secondsValue ?? input.reviewDelay.quantile(0.999)
        var documents: Int
        var scale = 1.0
        if row.throttled == true, let limit = row.bindingRateLimit {
            // At the limit, a run makes `limit` requests a second while documents are pending: over the arrivals
            // (documents / rate, unscaled) and the drain that follows the last of them (scaled).
            documents = min(options.documents, max(options.minimumDocuments, Int(Double(options.requestBudget) / 2 / (limit / rate))))
            scale = min(1, Double(options.requestBudget) / 2 / (limit * longest))
        } else {
            documents = min(options.documents, max(options.minimumDocuments, Int(Double(options.requestBudget) / max(row.model.requestsPerDocument, 1))))
        }
        documents = min(documents, input.documentsPerDay)
        var scenario = ScenarioSpec()
        scenario.name = "plan"
        scenario.clock = .virtual
        scenario.documents = documents
        scenario.arrivalRate = rate * scale
        scenario.seed = input.seed
        scenario.reviewDelay = input.reviewDelay
        scenario.strategies = [row.strategy]
        scenario.network = input.network
        scenario.maxInFlight = input.maxInFlight
        scenario.vendor = input.vendor
        let helpDesk = input.helpDesk
        scenario.faults.dropWebhookRatio = input.dropRate
        scenario.faults.rateLimit = helpDesk.faults.rateLimit.map { $0.scaled(by: scale) }
        scenario.faults.feedRateLimit = helpDesk.faults.feedRateLimit.map { $0.scaled(by: scale) }
        return (scenario, scale)
    }

    /// Runs every row, as many at once as the machine has cores.
    public func run(progress: ProgressLine, logger: Logger) async throws -> [Cell] {
        let rows = self.rows
        return try await ComparisonRun.inOrder(rows.count, width: max(1, ProcessInfo.processInfo.activeProcessorCount)) { index in
            try await verify(rows[index], index: index, of: rows.count, progress: progress, logger: logger)
        }
    }

    private func verify(_ row: PlanRow, index: Int, of count: Int, progress: ProgressLine, logger: Logger) async throws -> Cell {
        let (scenario, scale) = scenario(for: row)
        let folder = try ComparisonRun.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let label = "verify \(index + 1)/\(count) \(row.strategy) on \(scenario.documents) documents" + (scale < 1 ? " at \(CSVTable.number(scale, digits: 4)) of the day's rate" : "")
        progress.update("\(label): starting")
        let result = try await StrategyRunner(scenario: scenario, directory: folder, logger: logger).run(row.strategy, index: index) { submitted in
            if submitted % 100 == 0 { progress.update("\(label): \(submitted)/\(scenario.documents) submitted") }
        }
        progress.finish("\(label): \(String(format: "%.1f", result.wallDuration.secondsValue)) s")
        let model = result.modelOnDraws ?? result.model
        return Cell(
            strategy: row.strategy, scale: scale, result: result, model: model,
            flags: Self.flags(result, model: model, row: row), note: Self.note(model, day: row.model, documents: scenario.documents, throttled: row.throttled == true)
        )
    }

    /// The figures of a run that differ from its model beyond the tolerances, each with what explains it.
    static func flags(_ result: StrategyResult, model: StrategyModel, row: PlanRow) -> [String] {
        var flags: [String] = []
        if let incomplete = result.incomplete { flags.append("incomplete: \(incomplete)") }
        let requests = result.requestsPerDocument / model.requestsPerDocument - 1
        if abs(requests) > requestTolerance { flags.append(String(format: "requests/doc %+.1f%%", requests * 100)) }
        let latencies: [(String, Double, Double)] = [
            ("mean", result.latency.meanMilliseconds / 1000, model.latency.mean),
            ("p50", result.latency.milliseconds(atPercentile: 50) / 1000, model.latency.quantile(0.5)),
            ("p99", result.latency.milliseconds(atPercentile: 99) / 1000, model.latency.quantile(0.99)),
        ]
        for (name, measured, modelled) in latencies where abs(measured - modelled) > max(latencyFloor, latencyTolerance * modelled) {
            flags.append("latency \(name) \(SummaryTable.duration(measured)) against \(SummaryTable.duration(modelled))")
        }
        if result.lost > 0 { flags.append("\(result.lost) documents never learned their verdict") }
        // What explains them: the vendor's limit, when it refused requests and the model does not follow it; a
        // backoff's model follows it with jitter draws of its own, so one run differs from it by sampling.
        if !flags.isEmpty, result.rateLimited > 0 {
            switch result.strategy.definition {
            case is PollBackoff: flags.append("throttled: \(result.rateLimited) answers 429, priced by the model with jitter draws of its own: sampling")
            case is PollFixed, is PollConditional, is LongPoll, is WebhookThin: flags.append("throttled: \(result.rateLimited) answers 429, priced by the model")
            default: flags.append("throttled: \(result.rateLimited) answers 429, a limit this strategy's model does not price")
            }
        }
        return flags
    }
}

extension PlanVerification {
    /// What sets the run's documents apart from the whole day, when their model differs from the day's beyond the
    /// tolerances; `nil` for a throttled strategy, whose model prices no limit anyway.
    static func note(_ model: StrategyModel, day: StrategyModel, documents: Int, throttled: Bool) -> String? {
        guard !throttled else { return nil }
        let requests = abs(model.requestsPerDocument / day.requestsPerDocument - 1) > requestTolerance
        let latency = abs(model.latency.mean - day.latency.mean) > max(latencyFloor, latencyTolerance * day.latency.mean)
        guard requests || latency else { return nil }
        return "not a steady day: the model gives \(SummaryTable.count(model.requestsPerDocument)) requests/doc and a mean of "
            + "\(SummaryTable.duration(model.latency.mean)) on these \(documents) documents, \(SummaryTable.count(day.requestsPerDocument)) and "
            + "\(SummaryTable.duration(day.latency.mean)) over the whole day (part of a day fills up and drains: fewer documents pending at once, shared reads spread over fewer)"
    }
}

extension RateLimit {
    /// The same limit for a share `scale` of the traffic: a window allows that share of its requests (its period
    /// stretched when fewer than one would be left), a bucket refills at that share of its rate.
    func scaled(by scale: Double) -> RateLimit {
        guard scale < 1 else { return self }
        switch enforcement {
        case .fixedWindow:
            let requests = Double(burst) * scale
            return requests >= 1
                ? .window(Int(requests.rounded()), per: window)
                : .window(1, per: window * (1 / requests))
        case .tokenBucket:
            return RateLimit(requestsPerSecond: requestsPerSecond * scale, burst: max(1, Int((Double(burst) * scale).rounded())))
        }
    }
}
