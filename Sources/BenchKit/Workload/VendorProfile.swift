import Flows
import Foundation
import MockHelpDesk
import SimulationSupport

/// A vendor's published limits and webhook behaviour, one row of `vendors.txt`: what `--vendor NAME` sets on the
/// Help Desk. A `nil` figure is one the vendor does not publish: the Help Desk keeps its own default for it.
public struct VendorProfile: Sendable, Equatable {
    public var name: String
    /// The limit on our requests to the read API (status, event feed, stream).
    public var readLimit: RateLimit?
    /// A stricter limit on the event feed alone.
    public var feedLimit: RateLimit?
    public var webhookTimeout: Duration?
    public var retrySchedule: RetrySchedule?
    public var webhooksCountAgainstLimit: Bool?
    /// The mechanisms the vendor offers, and those it does not say whether it offers (`?` in the table); any other
    /// is not offered.
    public var offers: Set<VendorMechanism> = Set(VendorMechanism.allCases)
    public var unclear: Set<VendorMechanism> = []

    /// Whether the vendor offers what `strategy` needs.
    public func availability(of strategy: StrategySpec) -> StrategyAvailability {
        let needed = strategy.mechanisms
        let missing = needed.filter { !offers.contains($0) && !unclear.contains($0) }
        if !missing.isEmpty { return .notOffered(missing) }
        let unsaid = needed.filter { unclear.contains($0) }
        return unsaid.isEmpty ? .offered : .unpublished(unsaid)
    }

    /// Sets every figure the profile publishes on `configuration`; a rate limit already set (an explicit option, a
    /// fault scenario's own) is kept.
    public func apply(to configuration: inout HelpDeskConfiguration) {
        if let readLimit, configuration.faults.rateLimit == nil { configuration.faults.rateLimit = readLimit }
        if let feedLimit, configuration.faults.feedRateLimit == nil { configuration.faults.feedRateLimit = feedLimit }
        if let webhookTimeout { configuration.delivery.timeout = webhookTimeout }
        if let retrySchedule { configuration.delivery.schedule = retrySchedule }
        if let webhooksCountAgainstLimit { configuration.faults.webhooksCountAgainstRateLimit = webhooksCountAgainstLimit }
    }

    /// The figures the vendor leaves unpublished, with the Help Desk default used in their place.
    public var unpublished: [String] {
        let defaults = HelpDeskConfiguration()
        var figures: [String] = []
        if readLimit == nil { figures.append("read limit (none applied)") }
        if webhookTimeout == nil { figures.append("webhook timeout (the Help Desk's \(defaults.delivery.timeout.compactDescription))") }
        if retrySchedule == nil {
            figures.append("retry schedule (the Help Desk's \(defaults.delivery.schedule.delays.map(\.compactDescription).joined(separator: ",")))")
        }
        if webhooksCountAgainstLimit == nil { figures.append("whether webhooks count against the limit (they do not)") }
        for mechanism in VendorMechanism.allCases where unclear.contains(mechanism) {
            figures.append("whether it offers \(mechanism.summary) (taken as not)")
        }
        return figures
    }

    /// One line for a command's output: what the profile sets and what it leaves unpublished.
    public var summary: String {
        var parts: [String] = []
        if let readLimit { parts.append("reads \(readLimit)") }
        if let feedLimit { parts.append("event feed \(feedLimit)") }
        if let webhookTimeout { parts.append("webhook timeout \(webhookTimeout.compactDescription)") }
        if let retrySchedule {
            parts.append(retrySchedule.delays.count == 1 ? "no retries" : "retries after \(retrySchedule.delays.dropFirst().map(\.compactDescription).joined(separator: ", "))")
        }
        if webhooksCountAgainstLimit == true { parts.append("webhooks count against the read limit") }
        parts.append("offers " + VendorMechanism.allCases.filter(offers.contains).map(\.summary).joined(separator: ", "))
        let unknown = unpublished
        return "vendor \(name): " + parts.joined(separator: "; ") + (unknown.isEmpty ? "" : "; unpublished: " + unknown.joined(separator: ", "))
    }
}

/// Whether a vendor offers what a strategy needs.
public enum StrategyAvailability: Sendable, Equatable {
    case offered
    /// It offers none of these.
    case notOffered([VendorMechanism])
    /// It does not say whether it offers these.
    case unpublished([VendorMechanism])

    public var isOffered: Bool { self == .offered }

    /// Why a strategy is not an option, for a vendor named `vendor`: `not offered by github: long-polls`.
    public func reason(vendor: String) -> String {
        switch self {
        case .offered: "offered by \(vendor)"
        case .notOffered(let mechanisms): "not offered by \(vendor): \(mechanisms.map(\.summary).joined(separator: ", "))"
        case .unpublished(let mechanisms): "not published by \(vendor): \(mechanisms.map(\.summary).joined(separator: ", "))"
        }
    }

    /// The `offered` column: yes, no or unpublished.
    public var column: String {
        switch self {
        case .offered: "yes"
        case .notOffered: "no"
        case .unpublished: "unpublished"
        }
    }
}

extension VendorProfile {
    /// The strategies of `strategies` the vendor offers, and the others, each with why.
    public func split(_ strategies: [StrategySpec]) -> (offered: [StrategySpec], apart: [(strategy: StrategySpec, availability: StrategyAvailability)]) {
        var offered: [StrategySpec] = []
        var apart: [(StrategySpec, StrategyAvailability)] = []
        for strategy in strategies {
            let availability = availability(of: strategy)
            if availability.isOffered { offered.append(strategy) } else { apart.append((strategy, availability)) }
        }
        return (offered, apart)
    }

    /// The line that says which strategies were left out and why, if any were.
    public func notCompared(_ apart: [(strategy: StrategySpec, availability: StrategyAvailability)]) -> String? {
        guard !apart.isEmpty else { return nil }
        return "Not compared: " + apart.map { "\($0.strategy) (\($0.availability.reason(vendor: name)))" }.joined(separator: "; ")
            + ". --include-unoffered compares them, marked."
    }

    /// The profiles of `vendors.txt`, in its order.
    public static let all: [VendorProfile] = {
        do {
            return try table(contentsOf: tableURL)
        } catch {
            // The table ships with the package and a test parses it: a failure here is a broken build.
            fatalError("vendors.txt: \(error)")
        }
    }()

    /// Where the package keeps the table.
    public static var tableURL: URL {
        guard let url = Bundle.module.url(forResource: "vendors", withExtension: "txt") else { fatalError("vendors.txt is missing from the package's resources") }
        return url
    }

    /// The profile named `name`, or an error listing the known ones.
    public static func named(_ name: String) throws(BenchError) -> VendorProfile {
        guard let profile = all.first(where: { $0.name == name }) else {
            throw BenchError("unknown vendor \"\(name)\"; known vendors: \(all.map(\.name).joined(separator: ", "))")
        }
        return profile
    }

    /// Parses a table: rows of seven space-separated fields, `#` comments and blank lines between them.
    public static func table(contentsOf url: URL) throws(BenchError) -> [VendorProfile] {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw BenchError("\(url.lastPathComponent) cannot be read: \(error.localizedDescription)")
        }
        return try table(text)
    }

    public static func table(_ text: String) throws(BenchError) -> [VendorProfile] {
        var profiles: [VendorProfile] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop(while: \.isWhitespace)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            let fields = trimmed.split(whereSeparator: \.isWhitespace).map(String.init)
            let row = "line \(number + 1) (\(fields.first ?? ""))"
            guard fields.count == 7 else {
                throw BenchError("\(row): \(fields.count) fields, expected 7: name read_limit feed_limit webhook_timeout retry_schedule webhooks_count offers")
            }
            do throws(BenchError) {
                let profile = try VendorProfile(fields)
                guard !profiles.contains(where: { $0.name == profile.name }) else { throw BenchError("the name is used twice") }
                profiles.append(profile)
            } catch {
                throw BenchError("\(row): \(error.description)")
            }
        }
        guard !profiles.isEmpty else { throw BenchError("the table has no profile") }
        return profiles
    }

    private init(_ fields: [String]) throws(BenchError) {
        name = fields[0]
        guard name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
            throw BenchError("name \"\(name)\" must be lowercase letters, digits and dashes")
        }
        readLimit = fields[1] == "?" ? nil : try RateLimit.parse(fields[1], field: "read_limit")
        feedLimit = fields[2] == "-" ? nil : try RateLimit.parse(fields[2], field: "feed_limit")
        if fields[3] == "?" {
            webhookTimeout = nil
        } else {
            guard let timeout = try? Duration(userText: fields[3]), timeout > .zero else {
                throw BenchError("webhook_timeout \"\(fields[3])\" is not a positive duration such as 15s")
            }
            webhookTimeout = timeout
        }
        switch fields[4] {
        case "?": retrySchedule = nil
        case "once": retrySchedule = RetrySchedule(delays: [.zero])
        default: retrySchedule = try RetrySchedule.parse(fields[4], field: "retry_schedule")
        }
        switch fields[5] {
        case "yes": webhooksCountAgainstLimit = true
        case "no": webhooksCountAgainstLimit = false
        case "?": webhooksCountAgainstLimit = nil
        default: throw BenchError("webhooks_count \"\(fields[5])\" must be yes, no or ?")
        }
        offers = []
        for token in fields[6].split(separator: ",", omittingEmptySubsequences: false) {
            let unsaid = token.hasSuffix("?")
            guard let mechanism = VendorMechanism(rawValue: String(unsaid ? token.dropLast() : token)) else {
                throw BenchError("offers \"\(fields[6])\": \"\(token)\" is not one of \(VendorMechanism.allCases.map(\.rawValue).joined(separator: ", ")) (each may end with ?)")
            }
            guard !offers.contains(mechanism), !unclear.contains(mechanism) else {
                throw BenchError("offers \"\(fields[6])\": \(mechanism.rawValue) is listed twice")
            }
            if unsaid { unclear.insert(mechanism) } else { offers.insert(mechanism) }
        }
    }
}

extension RateLimit {
    /// Parses `COUNT/PERIOD,window` or `COUNT/PERIOD,bucket:BURST`, PERIOD being s, m, h, d or a duration such as
    /// 10s; without the second part, fixed windows of PERIOD. An error names `field` (none when it is empty).
    public static func parse(_ text: String, field: String) throws(BenchError) -> RateLimit {
        let form = (field.isEmpty ? "" : field + " ") + "\"\(text)\" is not a limit such as 400/m, 400/m,window, 190/10s or 2/s,bucket:40"
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        let rate = parts[0].split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), rate.count == 2, let count = Int(rate[0]), count >= 1 else { throw BenchError(form) }
        let units: [Substring: Duration] = ["s": .seconds(1), "m": .seconds(60), "h": .seconds(3600), "d": .seconds(86_400)]
        guard let period = units[rate[1]] ?? (try? Duration(userText: rate[1])), period > .zero else { throw BenchError(form) }
        let enforcement = parts.count == 2 ? parts[1] : "window"
        if enforcement == "window" { return .window(count, per: period) }
        guard enforcement.hasPrefix("bucket:"), let burst = Int(enforcement.dropFirst("bucket:".count)), burst >= 1 else { throw BenchError(form) }
        return RateLimit(requestsPerSecond: Double(count) / period.secondsValue, burst: burst)
    }
}

extension RetrySchedule {
    /// Parses comma-separated delays before each attempt, such as `0s,5s,5m,30m`: at least one, none negative, none
    /// shorter than the one before.
    public static func parse(_ text: String, field: String) throws(BenchError) -> RetrySchedule {
        var delays: [Duration] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let delay: Duration
            do {
                delay = try Duration(userText: part)
            } catch {
                throw BenchError("\(field) \"\(text)\": \(error.description)")
            }
            if let last = delays.last, delay < last {
                throw BenchError("\(field) \"\(text)\": the delays must not decrease (\(part) follows \(last.compactDescription))")
            }
            delays.append(delay)
        }
        return RetrySchedule(delays: delays)
    }
}
