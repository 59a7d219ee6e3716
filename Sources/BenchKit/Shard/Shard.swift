import Flows
import MockHelpDesk
import SimulationSupport

/// One of `count` parts of a virtual run, numbered from 0: the documents whose number in the whole run is `index`,
/// `index + count`, `index + 2 count`, ... Each shard runs them against a Help Desk, an app and a database of its
/// own, as a process of its own, and ``ShardMerge`` puts the parts back together.
///
/// Every document of a shard is submitted at its planned instant in the whole run and reviewed as that document
/// would be (the same delay, verdict, agent and id: the draws go by its number in the whole run), so where documents
/// share nothing the merged figures are the whole run's. What documents share, each shard has a part of: the
/// app's requests in flight and the Help Desk's webhook attempts in flight are split evenly between the shards.
/// What cannot be split is refused (``restrict(_:)``): the event feed and stream (a strategy needing a shared
/// ``VendorMechanism``), rate limits, faults and outages, drawn network delays, several instances.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// The most shards a run is split into.
    public static let maximumCount = 64

    public init(index: Int, count: Int) throws(BenchError) {
        guard (1...Self.maximumCount).contains(count) else {
            throw BenchError("a run splits into 1 to \(Self.maximumCount) shards, not \(count)")
        }
        guard (0..<count).contains(index) else {
            throw BenchError("shard \(index)/\(count) does not exist: shards of \(count) are numbered 0 to \(count - 1)")
        }
        self.index = index
        self.count = count
    }

    /// Reads `I/N`, as `--shard` takes it.
    public init(parsing text: String) throws(BenchError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw BenchError("\"\(text)\" is not a shard: write INDEX/COUNT, such as 0/2 (the first of two)")
        }
        try self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    /// The numbers, in the whole run of `documents`, of this shard's documents, in submission order.
    public func ordinals(of documents: Int) -> StrideTo<Int> {
        stride(from: index, to: documents, by: count)
    }

    /// The share of a limit of `total` this shard holds: the limit split as evenly as whole numbers allow, at least 1.
    func share(of total: Int) -> Int {
        max(1, total / count + (index < total % count ? 1 : 0))
    }

    /// This shard's part of `scenario`: its documents at their instants, reviewed as in the whole run, with its
    /// share of the limits documents share.
    /// - Throws: What the documents of `scenario` share that shards cannot split, naming it.
    public func restrict(_ scenario: ScenarioSpec) throws(BenchError) -> ScenarioSpec {
        try checkShardable(scenario)
        let offsets = scenario.arrivals.offsets
        let ordinals = Array(ordinals(of: offsets.count))
        var part = scenario
        part.explicitArrivals = ordinals.map { offsets[$0] }
        part.arrivalWindow = nil
        part.documents = ordinals.count
        let configuration = scenario.helpDeskConfiguration
        part.reviewDraws = ordinals.map { configuration.reviewDraw(ofSubmission: UInt64($0)) }
        part.documentNumbers = ordinals
        part.maxInFlight = share(of: scenario.maxInFlight)
        part.maxConcurrentDeliveries = share(of: scenario.maxConcurrentDeliveries)
        return part
    }

    /// Refuses a scenario whose documents share something shards cannot split. A run in one shard splits nothing:
    /// any virtual run can be one, which is how a run goes to a process of its own.
    public func checkShardable(_ scenario: ScenarioSpec) throws(BenchError) {
        func refuse(_ what: String) throws(BenchError) -> Never {
            throw BenchError("this run cannot be split into shards: \(what)")
        }
        guard scenario.clock == .virtual else { try refuse("shards run on the virtual clock only (a wall-clock run measures one machine under its load)") }
        guard count > 1 else { return }
        for strategy in scenario.strategies {
            if strategy.mechanisms.contains(.feed) {
                try refuse("\(strategy) reads the Help Desk's one event feed, which every document's decision is appended to (run it without --shards)")
            }
            if strategy.mechanisms.contains(.stream) {
                try refuse("\(strategy) reads the Help Desk's one event stream, which carries every document's decision (run it without --shards)")
            }
        }
        let helpDesk = scenario.helpDeskConfiguration
        if let limit = helpDesk.faults.rateLimit ?? helpDesk.faults.feedRateLimit {
            try refuse("the vendor's rate limit (\(limit)) is shared by every document's requests")
        }
        if helpDesk.faults != FaultConfiguration() {
            try refuse("the Help Desk's faults are drawn by its count of webhooks and requests, which shards do not share")
        }
        if !scenario.receiverFaults.isNone || scenario.storeOutage != nil || !scenario.helpDeskRestarts.isEmpty {
            try refuse("an outage or a slow receiver holds every document's deliveries at once")
        }
        if let oneWay = scenario.network.oneWay, !oneWay.isConstant {
            try refuse("a drawn network delay can reorder submissions made close together, and the Help Desk numbers documents in the order they reach it (give --network-delay one duration)")
        }
        if scenario.instances > 1 { try refuse("several app instances share one database and its leases") }
        if scenario.explicitArrivals != nil { try refuse("its arrivals are a sample chosen outright") }
    }
}
