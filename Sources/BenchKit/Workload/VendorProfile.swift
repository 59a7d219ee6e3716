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
        let unknown = unpublished
        return "vendor \(name): " + parts.joined(separator: "; ") + (unknown.isEmpty ? "" : "; unpublished: " + unknown.joined(separator: ", "))
    }
}

extension VendorProfile {
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

    /// Parses a table: rows of six space-separated fields, `#` comments and blank lines between them.
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
            guard fields.count == 6 else {
                throw BenchError("\(row): \(fields.count) fields, expected 6: name read_limit feed_limit webhook_timeout retry_schedule webhooks_count")
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
