import Foundation
import HelpDeskAPI
import SimulationSupport

/// One way for our app to learn verdicts, declared whole in one file: its name and parameters (parsed and printed),
/// whether the Help Desk calls us back, the strategy it builds, its analytic model, and how long its waits can be.
///
/// ``StrategySpec/registry`` lists every definition; adding a strategy is one file with its definition and one line
/// there. The shared engine around it (``StrategyContext``) counts its requests and which of them learned nothing.
public protocol StrategyDefinition: Sendable {
    /// The name before the colon: `poll-fixed`.
    static var name: String { get }
    /// How to write it with its parameters: `poll-fixed:INTERVAL`.
    static var usage: String { get }
    /// What it does, in a line.
    static var summary: String { get }
    /// The strategy with its default parameters.
    static var standard: Self { get }
    /// What it needs of the vendor's API: a vendor offers the strategy when it offers every one of them.
    static var mechanisms: [VendorMechanism] { get }

    /// Parses the comma-separated parameters after the colon; none gives the defaults.
    init(parameters: [String]) throws(StrategySpecError)

    /// The parameters as written after the colon; empty when it takes none.
    var parameterText: String { get }
    /// How the Help Desk should call us back, or `nil` for a strategy that only asks.
    var callbackStyle: CallbackPayloadStyle? { get }
    /// The longest model time it can wait between two chances to learn a verdict.
    var longestInterval: Duration { get }
    /// Whether its model on a run's draws reads the documents' ids (``ModelWorkload/documentIds``): a run then
    /// hands them over, and spares a million strings when it does not.
    var modelReadsDocumentIds: Bool { get }

    /// Builds the running strategy.
    func makeStrategy(context: StrategyContext) -> any Strategy
    /// What theory expects of it on `workload`.
    func model(_ workload: ModelWorkload) -> StrategyModel
}

extension StrategyDefinition {
    /// The definition's name, read from a value.
    var strategyName: String { Self.name }

    public var modelReadsDocumentIds: Bool { false }
}

/// A way a vendor's API lets an app learn that an object changed: what a strategy needs (``StrategyDefinition/mechanisms``)
/// and what a vendor offers.
public enum VendorMechanism: String, Sendable, CaseIterable, Comparable {
    /// Webhooks that carry the verdict.
    case webhook
    /// Webhooks that carry the object's id alone.
    case webhookThin = "webhook-thin"
    /// Reading one object's state.
    case poll
    /// Conditional reads: an `ETag`, `If-None-Match` and 304 Not Modified.
    case conditional
    /// A cursor feed of every change, in order.
    case feed
    /// A read the vendor holds until the object changes.
    case longPoll = "long-poll"
    /// A push stream of every change over a connection our app opens (server-sent events, a WebSocket mode).
    case stream

    /// What it is, in words.
    public var summary: String {
        switch self {
        case .webhook: "webhooks with the verdict"
        case .webhookThin: "webhooks with the id alone"
        case .poll: "reads of one object"
        case .conditional: "conditional reads with 304"
        case .feed: "a cursor feed of changes"
        case .longPoll: "long-polls"
        case .stream: "a push stream"
        }
    }

    /// Whether every document's changes pass through it in one order (the feed, the stream): documents that use it
    /// share it.
    public var isShared: Bool { self == .feed || self == .stream }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One line of the registry: a definition's type, seen through what the registry needs of it.
public struct RegisteredStrategy: Sendable {
    public let name: String
    public let usage: String
    public let summary: String
    public let standard: StrategySpec
    let parse: @Sendable ([String]) throws(StrategySpecError) -> StrategySpec

    public static func of<Definition: StrategyDefinition>(_ type: Definition.Type) -> RegisteredStrategy {
        RegisteredStrategy(
            name: type.name,
            usage: type.usage,
            summary: type.summary,
            standard: StrategySpec(type.standard),
            parse: { parameters throws(StrategySpecError) in StrategySpec(try Definition(parameters: parameters)) }
        )
    }
}

/// A strategy chosen by name, such as `webhook`, `poll-fixed:1s` or `poll-backoff:0.5s,2,8s`: a definition with
/// its parameters. Parameters may be left out for the defaults; durations are model time.
public struct StrategySpec: Sendable, Hashable, CustomStringConvertible {
    /// Every strategy, in the order help and tables list them.
    public static let registry: [RegisteredStrategy] = [
        .of(Webhook.self),
        .of(WebhookThin.self),
        .of(PollFixed.self),
        .of(PollBackoff.self),
        .of(PollConditional.self),
        .of(LongPoll.self),
        .of(PollEvents.self),
        .of(Hybrid.self),
        .of(ServerSentEvents.self),
    ]

    public let definition: any StrategyDefinition

    public init(_ definition: some StrategyDefinition) {
        self.definition = definition
    }

    /// Every strategy with its default parameters.
    public static var all: [StrategySpec] {
        registry.map(\.standard)
    }

    /// Every strategy as it is written with its parameters, each with its defaults and what it does, for help texts.
    public static var usageList: String {
        registry.map { entry in
            let defaults = entry.standard.definition.parameterText.isEmpty ? "" : " (default \(entry.standard))"
            return entry.usage + defaults + ": " + entry.summary
        }.joined(separator: "; ") + ". Durations need their unit (250ms, 30s, 5m, 2h)."
    }

    /// Parses a strategy name.
    public init(parsing text: String) throws(StrategySpecError) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let name = parts.first ?? ""
        guard let entry = Self.registry.first(where: { $0.name == name }) else {
            throw StrategySpecError("unknown strategy \"\(text)\"; known strategies: \(Self.registry.map(\.name).joined(separator: ", "))")
        }
        let parameters = parts.count > 1 ? parts[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init) : []
        do {
            self = try entry.parse(parameters)
        } catch {
            throw StrategySpecError("\(text): \(error.description)")
        }
    }

    /// The canonical name, which parses back to the same strategy.
    public var description: String {
        let parameters = definition.parameterText
        return definition.strategyName + (parameters.isEmpty ? "" : ":" + parameters)
    }

    public var callbackStyle: CallbackPayloadStyle? { definition.callbackStyle }

    /// What it needs of the vendor's API.
    public var mechanisms: [VendorMechanism] { type(of: definition).mechanisms }

    /// Whether the Help Desk is asked to call us back.
    public var usesWebhooks: Bool { callbackStyle != nil }

    public var longestInterval: Duration { definition.longestInterval }
    /// Whether its model on a run's draws reads the documents' ids.
    public var modelReadsDocumentIds: Bool { definition.modelReadsDocumentIds }

    public func model(_ workload: ModelWorkload) -> StrategyModel { definition.model(workload) }

    func makeStrategy(context: StrategyContext) -> any Strategy { definition.makeStrategy(context: context) }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.description == rhs.description }

    public func hash(into hasher: inout Hasher) { hasher.combine(description) }

    /// Parses a comma-separated list of strategy names. Commas also separate a strategy's own parameters
    /// (`poll-backoff:0.5s,2,8s`), so a piece that does not start with a known strategy's name continues the one before it.
    public static func parseList(_ text: String) throws(StrategySpecError) -> [StrategySpec] {
        let names = registry.map(\.name)
        var pieces: [String] = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            let startsStrategy = names.contains { trimmed == $0 || trimmed.hasPrefix($0 + ":") }
            if let last = pieces.last, !startsStrategy, last.contains(":") {
                pieces[pieces.count - 1] = last + "," + trimmed
            } else {
                pieces.append(trimmed)
            }
        }
        guard !pieces.isEmpty, pieces != [""] else { throw StrategySpecError("the strategy list is empty") }
        var specs: [StrategySpec] = []
        for piece in pieces { specs.append(try StrategySpec(parsing: piece)) }
        return specs
    }
}

/// A strategy name that does not parse, with what is wrong.
public struct StrategySpecError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Reading a definition's parameters.
public struct StrategyParameters: Sendable {
    public let values: [String]
    public let usage: String

    /// - Parameters:
    ///   - values: The parameters after the colon.
    ///   - usage: The definition's usage, for messages.
    ///   - most: How many it takes at most.
    public init(_ values: [String], usage: String, most: Int) throws(StrategySpecError) {
        guard values.count <= most else { throw StrategySpecError("too many parameters; use \(usage)") }
        self.values = values
        self.usage = usage
    }

    /// The duration at `index`, or `standard` when it is not given.
    public func duration(_ index: Int, _ name: String, standard: Duration) throws(StrategySpecError) -> Duration {
        guard index < values.count else { return standard }
        let parsed: Duration
        do {
            parsed = try Duration(userText: values[index])
        } catch {
            throw StrategySpecError("\(name): \(error.description) (\(usage))")
        }
        guard parsed > .zero else {
            throw StrategySpecError("\(name) must be a positive duration such as 1s or 500ms, not \"\(values[index])\"")
        }
        return parsed
    }

    /// The number at `index`, at least `minimum`, or `standard` when it is not given.
    public func number(_ index: Int, _ name: String, atLeast minimum: Double, standard: Double) throws(StrategySpecError) -> Double {
        guard index < values.count else { return standard }
        guard let parsed = Double(values[index]), parsed >= minimum, parsed.isFinite else {
            throw StrategySpecError("\(name) must be a number of at least \(CompactNumber(minimum)), not \"\(values[index])\"")
        }
        return parsed
    }
}

/// A number written without a trailing `.0`.
struct CompactNumber: CustomStringConvertible {
    let value: Double

    init(_ value: Double) {
        self.value = value
    }

    var description: String { value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value) }
}

/// A definition whose only parameter is one duration: a poll interval, or a long-poll's wait.
public protocol IntervalStrategyDefinition: StrategyDefinition {
    /// The parameter as messages name it: "the interval".
    static var parameterName: String { get }
    var interval: Duration { get }
    init(interval: Duration)
}

extension IntervalStrategyDefinition {
    public static var parameterName: String { "the interval" }

    public init(parameters: [String]) throws(StrategySpecError) {
        let values = try StrategyParameters(parameters, usage: Self.usage, most: 1)
        self.init(interval: try values.duration(0, Self.parameterName, standard: Self.standard.interval))
    }

    public var parameterText: String { interval.compactDescription }
    public var callbackStyle: CallbackPayloadStyle? { nil }
    public var longestInterval: Duration { interval }
}

/// A definition that takes no parameter: the webhook strategies.
public protocol ParameterlessStrategyDefinition: StrategyDefinition {
    init()
}

extension ParameterlessStrategyDefinition {
    public static var usage: String { name }
    public static var standard: Self { Self() }

    public init(parameters: [String]) throws(StrategySpecError) {
        _ = try StrategyParameters(parameters, usage: Self.usage, most: 0)
        self.init()
    }

    public var parameterText: String { "" }
    /// How long the drain waits at least once the last review could have been decided.
    public var longestInterval: Duration { .seconds(1) }
}
