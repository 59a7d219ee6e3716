import Flows
import Foundation
import SimulationSupport

extension ResultFiles {
    /// `plan.csv`: one row per strategy compared and per family's cheapest member meeting the target.
    public static let planColumns = [
        "strategy", "role", "family", "parameter_s", "documents_per_day", "requests_per_day", "learning_requests_per_day",
        "wasted_requests_per_day", "efficiency", "latency_p50_s", "latency_p99_s", "latency_mean_s", "db_writes_per_day",
        "lost_per_day", "peak_reads_per_s", "rate_limit_per_s", "throttled", "target_p99_s", "meets_target", "held_requests",
        "max_in_flight", "needs_more_slots",
    ]

    /// The columns `Bench plan --verify` adds: the run's documents and the share of the day's rate it ran at, then
    /// each figure as the model gives it for the run's own documents and as measured, per document and scaled to
    /// the day, and the flags.
    public static let planVerifyColumns = [
        "verify_documents", "verify_scale", "verify_model_requests_per_doc", "verify_requests_per_doc", "verify_requests_per_day",
        "verify_model_wasted_per_doc", "verify_wasted_per_doc", "verify_model_latency_mean_s", "verify_latency_mean_s",
        "verify_model_latency_p50_s", "verify_latency_p50_s", "verify_model_latency_p99_s", "verify_latency_p99_s",
        "peak_reads_per_min", "verify_peak_reads_per_min", "rate_limit_per_min", "verify_429_per_day", "verify_peak_deliveries_per_s",
        "verify_lost", "verify_flags", "verify_note",
    ]

    /// - Parameter cells: `--verify`'s runs, when it ran: their columns are added to every row (empty on the rows
    ///   not verified, the curves).
    public static func plan(_ plan: Plan, verification cells: [PlanVerification.Cell]? = nil) -> CSVTable {
        var table = CSVTable(columns: planColumns + (cells == nil ? [] : planVerifyColumns))
        let number = { (value: Double) in CSVTable.number(value, digits: 4) }
        // Counts of a day: a tenth of a request is precision enough.
        let perDay = { (value: Double) in CSVTable.number(value, digits: 1) }
        let flag = { (value: Bool?) in value.map { $0 ? "1" : "0" } ?? "" }
        for row in plan.rows {
            let member = PollingFamily.of(row.strategy)
            var fields: [String] = [
                row.strategy.description, row.role.rawValue, member?.family.rawValue ?? "", member.map { number($0.parameter.secondsValue) } ?? "",
                String(row.documentsPerDay), perDay(row.requestsPerDay), perDay(row.learningRequestsPerDay), perDay(row.wastedRequestsPerDay),
            ]
            fields += [
                number(row.model.efficiency), number(row.latencyP50), number(row.latencyP99), number(row.latencyMean),
                perDay(row.writesPerDay), perDay(row.lostPerDay), number(row.peakReadsPerSecond), row.rateLimit.map(number) ?? "",
            ]
            fields += [
                flag(row.throttled), row.targetP99.map { number($0.secondsValue) } ?? "", flag(row.meetsTarget), number(row.heldRequests),
                String(row.maxInFlight), flag(row.needsMoreSlots),
            ]
            if let cells {
                let cell = row.role == .curve ? nil : cells.first { $0.strategy == row.strategy }
                fields += verifyFields(row, cell)
            }
            table.append(fields)
        }
        return table
    }
}

extension ResultFiles {
    static func verifyFields(_ row: PlanRow, _ cell: PlanVerification.Cell?) -> [String] {
        guard let cell else { return Array(repeating: "", count: planVerifyColumns.count) }
        let (result, model) = (cell.result, cell.model)
        let number = { (value: Double) in CSVTable.number(value, digits: 4) }
        let perDay = { (count: Int) in CSVTable.number(cell.perDay(count, documentsPerDay: row.documentsPerDay), digits: 1) }
        return [
            String(cell.documents), number(cell.scale), number(model.requestsPerDocument), number(result.requestsPerDocument),
            perDay(result.requestsTotal),
            number(model.wastedRequestsPerDocument), number(Double(result.wastedRequests) / Double(max(cell.documents, 1))),
            number(model.latency.mean), number(result.latency.meanMilliseconds / 1000),
            number(model.latency.quantile(0.5)), number(result.latency.milliseconds(atPercentile: 50) / 1000),
            number(model.latency.quantile(0.99)), number(result.latency.milliseconds(atPercentile: 99) / 1000),
            number(row.peakReadsPerSecond * 60), number(cell.peakReadsPerMinute),
            row.bindingRateLimit.map { number($0 * 60) } ?? "",
            perDay(result.rateLimited),
            number(cell.peakDeliveriesPerSecond), String(result.lost), cell.flags.joined(separator: "; "),
            cell.note ?? "",
        ]
    }
}

extension SummaryTable {
    /// ` (not offered)` or ` (unpublished)` after a strategy the vendor does not offer, or does not say it offers.
    static func availabilityMark(_ availability: StrategyAvailability?) -> String {
        switch availability {
        case .notOffered?: " (not offered)"
        case .unpublished?: " (unpublished)"
        case .offered?, nil: ""
        }
    }

    /// The plan as a terminal table, then each family's cheapest member meeting the target.
    public static func plan(_ plan: Plan) -> String {
        let input = plan.input
        var rows = [[
            "strategy", "requests/day", "wasted/day", "efficiency", "p50", "p99", "mean", "DB writes/day", "lost/day",
            "peak reads/s" + (input.helpDesk.faults.rateLimit.map { " (limit \(CSVTable.number($0.requestsPerSecond)))" } ?? ""),
        ]]
        for row in plan.rows where row.role == .compared {
            rows.append([
                row.strategy.description + availabilityMark(input.vendor?.availability(of: row.strategy)), count(row.requestsPerDay), count(row.wastedRequestsPerDay),
                String(format: "%.1f%%", row.model.efficiency * 100), duration(row.latencyP50), duration(row.latencyP99), duration(row.latencyMean),
                count(row.writesPerDay), count(row.lostPerDay),
                count(row.peakReadsPerSecond) + (row.throttled == true ? " THROTTLED" : ""),
            ])
        }
        var text = input.vendor.map { $0.summary + "\n" } ?? ""
        text += "Plan for \(input.documentsPerDay) documents a day, review delay \(input.reviewDelay)"
            + (input.dropRate > 0 ? ", \(CSVTable.number(input.dropRate * 100))% of webhooks lost" : "")
            + (input.peakFactor > 1 ? ", busiest hour \(CSVTable.number(input.peakFactor))x the day's average" : "") + " (the analytic model, no simulation):\n"
        text += render(rows)
        if let note = input.vendor?.notCompared(input.notOffered) { text += note + "\n" }
        for row in plan.rows where row.role != .curve && row.needsMoreSlots {
            text += "\(row.strategy) needs about \(count(row.heldRequests)) requests in flight at once in the busiest hour, more than the "
                + "\(row.maxInFlight) our app allows (--max-in-flight): \(row.strategy.definition is LongPoll ? "documents queue for a slot, as its model shows" : "its requests queue")."
                + "\n"
        }
        if !plan.shortestAllowed.isEmpty {
            text += "The vendor's limit at this volume (busiest hour) forbids:\n"
            for (family, shortest) in plan.shortestAllowed {
                text += "  \(family.rawValue): " + (shortest.map { "every \(family.parameterName) below \($0.compactDescription)" }
                    ?? "every \(family.parameterName) up to \(family.candidates.last?.compactDescription ?? "-")") + "\n"
            }
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
        text += PlanRecommendation(plan).line + "\n"
        return text
    }

    /// `--verify`'s runs: each strategy's figures as measured beside the model's on the same documents, then every flag.
    public static func planVerification(_ plan: Plan, _ cells: [PlanVerification.Cell]) -> String {
        var rows = [[
            "strategy", "documents", "requests/doc (model)", "requests/day", "mean (model)", "p50 (model)", "p99 (model)",
            "peak reads/min" + (plan.input.helpDesk.faults.rateLimit.map { " (limit \(count($0.requestsPerSecond * 60)))" } ?? ""), "429s/day",
            "peak deliveries/s", "agrees",
        ]]
        for cell in cells {
            guard let row = plan.rows.first(where: { $0.strategy == cell.strategy && $0.role != .curve }) else { continue }
            let (result, model) = (cell.result, cell.model)
            rows.append([
                cell.strategy.description,
                String(cell.documents) + (cell.scale < 1 ? String(format: " at %.3gx", cell.scale) : ""),
                "\(count(result.requestsPerDocument)) (\(count(model.requestsPerDocument)))",
                count(cell.perDay(result.requestsTotal, documentsPerDay: row.documentsPerDay)),
                "\(duration(result.latency.meanMilliseconds / 1000)) (\(duration(model.latency.mean)))",
                "\(duration(result.latency.milliseconds(atPercentile: 50) / 1000)) (\(duration(model.latency.quantile(0.5))))",
                "\(duration(result.latency.milliseconds(atPercentile: 99) / 1000)) (\(duration(model.latency.quantile(0.99))))",
                count(cell.peakReadsPerMinute),
                count(cell.perDay(result.rateLimited, documentsPerDay: row.documentsPerDay)),
                count(cell.peakDeliveriesPerSecond),
                cell.flags.isEmpty ? "yes" : "FLAGGED",
            ])
        }
        var text = "Verified in virtual time: each strategy over real HTTP and SQLite on the day's workload, measured (model on the same documents):\n"
        text += render(rows)
        for cell in cells where !cell.flags.isEmpty {
            text += "  \(cell.strategy): " + cell.flags.joined(separator: "; ") + "\n"
        }
        for cell in cells {
            if let note = cell.note { text += "  \(cell.strategy), \(note)\n" }
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
