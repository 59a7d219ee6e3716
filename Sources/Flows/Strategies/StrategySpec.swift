import Foundation
import SimulationSupport

/// A strategy chosen by name: `webhook`, `webhook-thin`, `poll-fixed:1s`, `poll-backoff:0.5s,2,8s`,
/// `poll-conditional:1s`, `long-poll:30s`, `poll-events:1s`, `hybrid:60s,120s`.
///
/// Parameters may be left out (`poll-fixed`) to take the defaults shown. Durations are model time.
public enum StrategySpec: Sendable, Hashable, CustomStringConvertible {
    /// Full webhooks: the verdict arrives in the body.
    case webhook
    /// Thin webhooks: only the id arrives; the app fetches the state.
    case webhookThin
    /// `GET /document/{id}` every `interval` until decided.
    case pollFixed(interval: Duration)
    /// Polls spaced by a full-jitter exponential backoff: a uniform draw in `[0, min(cap, initial × factorⁿ)]`.
    case pollBackoff(initial: Duration, factor: Double, cap: Duration)
    /// Fixed polling with `If-None-Match`, answered 304 while nothing changed.
    case pollConditional(interval: Duration)
    /// `GET /document/{id}?wait=` held by the Help Desk until the review is decided or the wait ends.
    case longPoll(wait: Duration)
    /// `GET /events` every `interval`, from a cursor kept in the database.
    case pollEvents(interval: Duration)
    /// Full webhooks, plus a sweep every `sweep` that settles, through the event feed, rows pending longer than `staleAfter`.
    case hybrid(sweep: Duration, staleAfter: Duration)

    /// Every strategy with its default parameters.
    public static let all: [StrategySpec] = [
        .webhook, .webhookThin, .pollFixed(interval: .seconds(1)),
        .pollBackoff(initial: .milliseconds(500), factor: 2, cap: .seconds(8)),
        .pollConditional(interval: .seconds(1)), .longPoll(wait: .seconds(30)), .pollEvents(interval: .seconds(1)),
        .hybrid(sweep: .seconds(60), staleAfter: .seconds(120)),
    ]

    /// Parses a strategy name.
    public init(parsing text: String) throws(StrategySpecError) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let kind = parts.first ?? ""
        let parameters = parts.count > 1 ? parts[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init) : []
        func duration(_ index: Int, _ name: String, default value: Duration) throws(StrategySpecError) -> Duration {
            guard index < parameters.count else { return value }
            guard let parsed = Duration(parsing: parameters[index]), parsed > .zero else {
                throw StrategySpecError("\(text): \(name) must be a positive duration such as 1s or 500ms, not \"\(parameters[index])\"")
            }
            return parsed
        }
        func expectParameters(_ count: Int, _ usage: String) throws(StrategySpecError) {
            guard parameters.count <= count else { throw StrategySpecError("\(text): too many parameters; use \(usage)") }
        }
        switch kind {
        case "webhook":
            try expectParameters(0, "webhook")
            self = .webhook
        case "webhook-thin":
            try expectParameters(0, "webhook-thin")
            self = .webhookThin
        case "poll-fixed":
            try expectParameters(1, "poll-fixed:INTERVAL")
            self = .pollFixed(interval: try duration(0, "the interval", default: .seconds(1)))
        case "poll-backoff":
            try expectParameters(3, "poll-backoff:INITIAL,FACTOR,CAP")
            let initial = try duration(0, "the initial delay", default: .milliseconds(500))
            var factor = 2.0
            if parameters.count > 1 {
                guard let parsed = Double(parameters[1]), parsed >= 1, parsed.isFinite else {
                    throw StrategySpecError("\(text): the factor must be a number of at least 1, not \"\(parameters[1])\"")
                }
                factor = parsed
            }
            let cap = try duration(2, "the cap", default: .seconds(8))
            guard cap >= initial else { throw StrategySpecError("\(text): the cap must not be below the initial delay") }
            self = .pollBackoff(initial: initial, factor: factor, cap: cap)
        case "poll-conditional":
            try expectParameters(1, "poll-conditional:INTERVAL")
            self = .pollConditional(interval: try duration(0, "the interval", default: .seconds(1)))
        case "long-poll":
            try expectParameters(1, "long-poll:WAIT")
            self = .longPoll(wait: try duration(0, "the wait", default: .seconds(30)))
        case "poll-events":
            try expectParameters(1, "poll-events:INTERVAL")
            self = .pollEvents(interval: try duration(0, "the interval", default: .seconds(1)))
        case "hybrid":
            try expectParameters(2, "hybrid:SWEEP,STALE_AFTER")
            self = .hybrid(sweep: try duration(0, "the sweep interval", default: .seconds(60)), staleAfter: try duration(1, "the stale age", default: .seconds(120)))
        default:
            let known = "webhook, webhook-thin, poll-fixed, poll-backoff, poll-conditional, long-poll, poll-events, hybrid"
            throw StrategySpecError("unknown strategy \"\(text)\"; known strategies: \(known)")
        }
    }

    /// The canonical name, which parses back to the same strategy.
    public var description: String {
        switch self {
        case .webhook: "webhook"
        case .webhookThin: "webhook-thin"
        case .pollFixed(let interval): "poll-fixed:\(interval.compactDescription)"
        case .pollBackoff(let initial, let factor, let cap):
            "poll-backoff:\(initial.compactDescription),\(factor == factor.rounded() ? String(Int(factor)) : String(factor)),\(cap.compactDescription)"
        case .pollConditional(let interval): "poll-conditional:\(interval.compactDescription)"
        case .longPoll(let wait): "long-poll:\(wait.compactDescription)"
        case .pollEvents(let interval): "poll-events:\(interval.compactDescription)"
        case .hybrid(let sweep, let staleAfter): "hybrid:\(sweep.compactDescription),\(staleAfter.compactDescription)"
        }
    }

    /// Whether the Help Desk is asked to call us back.
    public var usesWebhooks: Bool {
        switch self {
        case .webhook, .webhookThin, .hybrid: true
        default: false
        }
    }
}

/// A strategy name that does not parse, with what is wrong.
public struct StrategySpecError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

extension StrategySpec {
    /// Parses a comma-separated list of strategy names. Commas also separate a strategy's own parameters
    /// (`poll-backoff:0.5s,2,8s`), so a piece that does not start a known strategy continues the one before it.
    public static func parseList(_ text: String) throws(StrategySpecError) -> [StrategySpec] {
        let kinds = ["webhook", "poll-", "long-poll", "hybrid"]
        var names: [String] = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            if let last = names.last, !kinds.contains(where: { trimmed.hasPrefix($0) }), last.contains(":") {
                names[names.count - 1] = last + "," + trimmed
            } else {
                names.append(trimmed)
            }
        }
        guard !names.isEmpty, names != [""] else { throw StrategySpecError("the strategy list is empty") }
        var specs: [StrategySpec] = []
        for name in names { specs.append(try StrategySpec(parsing: name)) }
        return specs
    }
}
