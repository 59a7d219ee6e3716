import Flows
import Foundation
import SimulationSupport

extension ResultFiles {
    /// `plan.csv`: one row per strategy compared and per family's cheapest member meeting the target.
    public static let planColumns = [
        "strategy", "role", "family", "parameter_s", "documents_per_day", "requests_per_day", "learning_requests_per_day",
        "wasted_requests_per_day", "efficiency", "latency_p50_s", "latency_p99_s", "latency_mean_s", "db_writes_per_day",
        "lost_per_day", "peak_reads_per_s", "rate_limit_per_s", "throttled", "target_p99_s", "meets_target", "held_requests",
    ]

    public static func plan(_ plan: Plan) -> CSVTable {
        var table = CSVTable(columns: planColumns)
        let number = { (value: Double) in CSVTable.number(value, digits: 4) }
        // Counts of a day: a tenth of a request is precision enough.
        let perDay = { (value: Double) in CSVTable.number(value, digits: 1) }
        let flag = { (value: Bool?) in value.map { $0 ? "1" : "0" } ?? "" }
        for row in plan.rows {
            let member = PollingFamily.of(row.strategy)
            table.append([
                row.strategy.description, row.role.rawValue, member?.family.rawValue ?? "", member.map { number($0.parameter.secondsValue) } ?? "",
                String(row.documentsPerDay), perDay(row.requestsPerDay), perDay(row.learningRequestsPerDay), perDay(row.wastedRequestsPerDay),
                number(row.model.efficiency), number(row.latencyP50), number(row.latencyP99), number(row.latencyMean),
                perDay(row.writesPerDay), perDay(row.lostPerDay), number(row.peakReadsPerSecond), row.rateLimit.map(number) ?? "",
                flag(row.throttled), row.targetP99.map { number($0.secondsValue) } ?? "", flag(row.meetsTarget), number(row.heldRequests),
            ])
        }
        return table
    }
}

extension SummaryTable {
    /// The plan as a terminal table, then each family's cheapest member meeting the target.
    public static func plan(_ plan: Plan) -> String {
        let input = plan.input
        var rows = [[
            "strategy", "requests/day", "wasted/day", "efficiency", "p50", "p99", "mean", "DB writes/day", "lost/day",
            "peak reads/s" + (input.rateLimit.map { " (limit \(CSVTable.number($0)))" } ?? ""),
        ]]
        for row in plan.rows where row.role == .compared {
            rows.append([
                row.strategy.description, count(row.requestsPerDay), count(row.wastedRequestsPerDay),
                String(format: "%.1f%%", row.model.efficiency * 100), duration(row.latencyP50), duration(row.latencyP99), duration(row.latencyMean),
                count(row.writesPerDay), count(row.lostPerDay),
                count(row.peakReadsPerSecond) + (row.throttled == true ? " THROTTLED" : ""),
            ])
        }
        var text = "Plan for \(input.documentsPerDay) documents a day, review delay \(input.reviewDelay)"
            + (input.dropRate > 0 ? ", \(CSVTable.number(input.dropRate * 100))% of webhooks lost" : "")
            + (input.peakFactor > 1 ? ", busiest hour \(CSVTable.number(input.peakFactor))x the day's average" : "") + " (the analytic model, no simulation):\n"
        text += render(rows)
        for row in plan.rows where row.role != .curve && row.heldRequests > 32 {
            text += "\(row.strategy) holds about \(count(row.heldRequests)) requests open at once in the busiest hour (one per pending document): "
                + "our app's client and the vendor must allow that many connections.\n"
        }
        if let target = input.targetP99 {
            text += "Cheapest member of each polling family with p99 at most \(target.compactDescription):\n"
            for (family, choice) in plan.searches {
                guard let choice, let row = plan.rows.first(where: { $0.role == .cheapest && $0.strategy == choice.strategy }) else {
                    text += "  \(family.rawValue): none of its \(family.parameterName)s from 100ms to \(family.candidates.last?.compactDescription ?? "-") meets it\n"
                    continue
                }
                text += "  \(family.rawValue): \(choice.strategy) — \(count(row.requestsPerDay)) requests/day, p99 \(duration(row.latencyP99)), "
                    + "mean \(duration(row.latencyMean))"
                    + (row.throttled == true ? ", THROTTLED at the busiest hour (\(count(row.peakReadsPerSecond)) reads/s): no member meets both the target and the limit" : "")
                    + "\n"
            }
        }
        return text
    }

    /// A count or rate with thousands grouped and at most three significant decimals below 10.
    static func count(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        if value >= 9_999.5 {
            let formatter = NumberFormatter()
            formatter.numberStyle = .decimal
            formatter.maximumFractionDigits = 0
            formatter.locale = Locale(identifier: "en_US")
            return formatter.string(from: NSNumber(value: value)) ?? String(Int(value.rounded()))
        }
        if value > 0, value < 0.001 { return "<0.001" }
        return value >= 100 ? String(format: "%.0f", value) : value >= 10 ? String(format: "%.1f", value) : String(format: "%.3g", value)
    }

    /// A duration in seconds written in the unit that reads best: `0 s`, `420 ms`, `47.3 s`, `12.5 min`, `2.1 h`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        switch seconds {
        case 0: return "0 s"
        case ..<1: return String(format: "%.0f ms", seconds * 1000)
        case ..<120: return String(format: "%.1f s", seconds)
        case ..<7200: return String(format: "%.1f min", seconds / 60)
        default: return String(format: "%.1f h", seconds / 3600)
        }
    }
}
