import Flows
import SimulationSupport

/// A polling strategy seen as a family over one parameter: the interval of fixed, conditional and event-feed polling,
/// the initial delay of backoff (factor 2, cap 16 times the initial delay, as the suite's `poll-backoff:0.5s,2,8s`),
/// the wait of a long-poll. The sweep runs each family across its parameter; the plan searches it.
///
/// In every family, requests per document never rise as the parameter grows: fixed polls make ⌈D/I⌉ requests, a
/// long-poll ⌈D/W⌉, the feed W/I, and backoff stretches one schedule of draws.
public enum PollingFamily: String, CaseIterable, Sendable, Hashable {
    case fixed = "poll-fixed"
    case conditional = "poll-conditional"
    case events = "poll-events"
    case backoff = "poll-backoff"
    case longPoll = "long-poll"

    /// The cap of a backoff family member over its initial delay.
    static let backoffCapRatio = 16
    static let backoffFactor = 2.0

    /// The member of the family at `parameter`.
    public func strategy(_ parameter: Duration) -> StrategySpec {
        switch self {
        case .fixed: .pollFixed(interval: parameter)
        case .conditional: .pollConditional(interval: parameter)
        case .events: .pollEvents(interval: parameter)
        case .backoff: .pollBackoff(initial: parameter, factor: Self.backoffFactor, cap: parameter * Self.backoffCapRatio)
        case .longPoll: .longPoll(wait: parameter)
        }
    }

    /// What the parameter is, for tables and charts.
    public var parameterName: String {
        switch self {
        case .fixed, .conditional, .events: "interval"
        case .backoff: "initial delay"
        case .longPoll: "wait"
        }
    }

    /// The family and parameter of a strategy that belongs to one.
    public static func of(_ strategy: StrategySpec) -> (family: PollingFamily, parameter: Duration)? {
        switch strategy.definition {
        case let fixed as PollFixed: (.fixed, fixed.interval)
        case let conditional as PollConditional: (.conditional, conditional.interval)
        case let events as PollEvents: (.events, events.interval)
        case let backoff as PollBackoff where backoff.factor == backoffFactor && backoff.cap == backoff.initial * backoffCapRatio: (.backoff, backoff.initial)
        case let longPoll as LongPoll: (.longPoll, longPoll.wait)
        default: nil
        }
    }

    /// Parses a comma-separated list of family names.
    public static func parseList(_ text: String) throws(BenchError) -> [PollingFamily] {
        var families: [PollingFamily] = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let family = PollingFamily(rawValue: name) else {
                throw BenchError("unknown polling family \"\(name)\"; families: \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if !families.contains(family) { families.append(family) }
        }
        guard !families.isEmpty else { throw BenchError("the list of families is empty") }
        return families
    }

    /// The longest wait the Help Desk lets a long-poll ask for (its `maxWait`).
    static let longestWait: Duration = .seconds(300)

    /// The parameters a plan considers: every value of two significant digits (1.0, 1.1, ... 9.9 times a power of
    /// ten) from 100 ms to 24 h, the resolution at which one would configure a poller; for a long-poll, up to the
    /// Help Desk's longest wait.
    public var candidates: [Duration] {
        let highest = self == .longPoll ? Self.longestWait : .seconds(86_400)
        var values: [Duration] = []
        var decade = 0.1
        while decade <= highest.secondsValue {
            for step in 10...99 {
                let seconds = (Double(step) * decade * 10).rounded() / 100
                if seconds > highest.secondsValue { break }
                values.append(.milliseconds(Int64((seconds * 1000).rounded())))
            }
            decade *= 10
        }
        return values
    }
}
