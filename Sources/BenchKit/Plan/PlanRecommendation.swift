import Flows
import SimulationSupport

/// The plan's answer in one line: the cheapest strategy the vendor offers that meets the target p99, stays within the
/// vendor's read limit, and loses no more documents a day than the loss budget allows when a share of webhooks is
/// dropped; the runner-up; and why the cheaper ones were passed over.
///
/// The loss is priced at ``PlanInput/dropRate`` when one is given, and otherwise at ``PlanInput/assumedDropRate``
/// (1 %), so that what a webhook without reconciliation loses shows without knowing to ask.
public struct PlanRecommendation: Sendable {
    /// A candidate and what its model gives at the priced drop rate.
    public struct Candidate: Sendable {
        public var row: PlanRow
        /// Documents a day that never get their verdict at ``PlanRecommendation/dropRate``.
        public var lostPerDay: Double
        /// Why it does not qualify; empty when it does.
        public var failures: [String]

        public var qualifies: Bool { failures.isEmpty }
        public var strategy: StrategySpec { row.strategy }
    }

    /// Every candidate (the strategies compared and each family's cheapest member, once each, offered by the
    /// vendor), cheapest first by requests a day.
    public var candidates: [Candidate]
    /// The share of webhooks the loss is priced at.
    public var dropRate: Double
    public var lossBudget: Double
    public var targetP99: Duration?

    /// The cheapest candidate that qualifies.
    public var chosen: Candidate? { candidates.first(where: \.qualifies) }
    /// The next one that qualifies.
    public var runnerUp: Candidate? { candidates.filter(\.qualifies).dropFirst().first }

    public init(_ plan: Plan) {
        let input = plan.input
        dropRate = input.dropRate > 0 ? input.dropRate : PlanInput.assumedDropRate
        lossBudget = input.lossBudget
        targetP99 = input.targetP99
        var lossy = input.workload
        lossy.webhookDropRate = dropRate
        var seen = Set<StrategySpec>()
        var candidates: [Candidate] = []
        for row in plan.rows where row.role != .curve && !seen.contains(row.strategy) {
            seen.insert(row.strategy)
            if let vendor = input.vendor, !vendor.availability(of: row.strategy).isOffered { continue }
            // Only what the vendor sends is dropped: the pollers' models need no second evaluation.
            let lost = row.strategy.usesWebhooks ? row.strategy.model(lossy).lostShare * Double(input.documentsPerDay) : row.lostPerDay
            var failures: [String] = []
            if let target = input.targetP99, row.meetsTarget == false {
                failures.append("p99 \(SummaryTable.duration(row.latencyP99)) over the target \(target.compactDescription)")
            }
            if row.throttled == true {
                failures.append("throttled: \(SummaryTable.count(row.peakReadsPerSecond)) reads/s at the busiest hour against the limit's \(SummaryTable.count(row.bindingRateLimit ?? 0))")
            }
            if lost > input.lossBudget {
                failures.append("\(Self.documents(lost)) documents lost a day at \(Self.percent(dropRate)) dropped webhooks")
            }
            candidates.append(Candidate(row: row, lostPerDay: lost, failures: failures))
        }
        self.candidates = candidates.sorted { $0.row.requestsPerDay < $1.row.requestsPerDay }
    }

    /// The line the plan ends with.
    public var line: String {
        var conditions: [String] = []
        if let targetP99 { conditions.append("has p99 at most \(targetP99.compactDescription)") }
        if candidates.contains(where: { $0.row.bindingRateLimit != nil }) { conditions.append("stays within the vendor's read limit") }
        conditions.append(lossBudget > 0
            ? "loses at most \(Self.documents(lossBudget)) documents a day at \(Self.percent(dropRate)) dropped webhooks"
            : "loses no document at \(Self.percent(dropRate)) dropped webhooks")
        let requirement = conditions.count > 1
            ? conditions.dropLast().joined(separator: ", ") + " and " + conditions[conditions.count - 1]
            : conditions[0]
        guard let chosen else {
            return "Recommended: none; no strategy compared \(requirement). "
                + candidates.prefix(3).map { "\($0.strategy): \($0.failures.joined(separator: "; "))" }.joined(separator: ". ") + "."
        }
        var text = "Recommended: \(chosen.strategy), \(Self.figures(chosen)): the cheapest that \(requirement)."
        let cheaper = candidates.prefix { $0.strategy != chosen.strategy }
        if !cheaper.isEmpty {
            text += " Cheaper, passed over: " + cheaper.map { "\($0.strategy) (\($0.failures.joined(separator: "; ")))" }.joined(separator: ", ") + "."
        }
        if let runnerUp { text += " Runner-up: \(runnerUp.strategy), \(Self.figures(runnerUp))." }
        return text
    }

    static func percent(_ share: Double) -> String { CSVTable.number(share * 100) + " %" }

    /// A count of documents, whole: a model's 50.000000001 is 50.
    static func documents(_ value: Double) -> String { value >= 9_999.5 ? SummaryTable.count(value) : String(Int(value.rounded())) }

    static func figures(_ candidate: Candidate) -> String {
        let row = candidate.row
        return "\(SummaryTable.count(row.requestsPerDay)) requests/day, p99 \(SummaryTable.duration(row.latencyP99))"
    }

    /// The recommendation checked against what `--verify` measured: the first qualifying candidate, cheapest
    /// first, whose run meets the target and agrees with its model; with each one passed over and why.
    public func recheck(_ cells: [PlanVerification.Cell]) -> (chosen: Candidate?, passedOver: [(StrategySpec, String)]) {
        var passedOver: [(StrategySpec, String)] = []
        for candidate in candidates where candidate.qualifies {
            guard let cell = cells.first(where: { $0.strategy == candidate.strategy }) else {
                passedOver.append((candidate.strategy, "not verified"))
                continue
            }
            var misses: [String] = []
            let measuredP99 = cell.result.latency.milliseconds(atPercentile: 99) / 1000
            if let targetP99, measuredP99 > targetP99.secondsValue {
                misses.append("measured p99 \(SummaryTable.duration(measuredP99)) over the target \(targetP99.compactDescription)")
            }
            if !cell.flags.isEmpty { misses.append("its run disagrees with its model (\(cell.flags.joined(separator: "; ")))") }
            if cell.result.lost > 0 { misses.append("\(cell.result.lost) documents never got their verdict in the run") }
            if misses.isEmpty { return (candidate, passedOver) }
            passedOver.append((candidate.strategy, misses.joined(separator: "; ")))
        }
        return (nil, passedOver)
    }

    /// The line `--verify` adds: the recommendation holds, or the next one taken and why.
    public func recheckLine(_ cells: [PlanVerification.Cell]) -> String {
        let (verified, passedOver) = recheck(cells)
        let missed = passedOver.map { "\($0.0): \($0.1)" }.joined(separator: "; ")
        guard let verified else {
            return "Verified: no recommendation survives its run" + (missed.isEmpty ? "." : ": \(missed).")
        }
        guard let cell = cells.first(where: { $0.strategy == verified.strategy }) else { return "" }
        let measured = "measured p99 \(SummaryTable.duration(cell.result.latency.milliseconds(atPercentile: 99) / 1000)), "
            + "\(SummaryTable.count(cell.perDay(cell.result.requestsTotal, documentsPerDay: verified.row.documentsPerDay))) requests/day"
        if verified.strategy == chosen?.strategy { return "Verified: \(verified.strategy) holds (\(measured))." }
        return "Verified: \(verified.strategy) instead (\(measured)); passed over when run: \(missed)."
    }
}

extension PlanInput {
    /// The share of dropped webhooks a plan prices the loss at when `--drop-rate` is not given.
    public static let assumedDropRate = 0.01
}
