import AsyncHTTPClient
import Flows
import Foundation
import Hummingbird
import HelpDeskAPI
import Logging
import MockHelpDesk
import NIOCore
import NIOFoundationCompat
import ServerSupport
import SimulationSupport
import Synchronization

/// Runs one strategy on one scenario, over real HTTP on loopback: a fresh Help Desk and a fresh app with a
/// database of its own, the scenario's documents submitted open-loop through `POST /reviews`, then a drain.
public struct StrategyRunner: Sendable {
    public let scenario: ScenarioSpec
    /// Where the run's databases go.
    public let database: RunDatabase
    public let logger: Logger

    public init(scenario: ScenarioSpec, database: RunDatabase, logger: Logger = .quiet) {
        self.scenario = scenario
        self.database = database
        self.logger = logger
    }

    public init(scenario: ScenarioSpec, directory: URL, logger: Logger = .quiet) {
        self.init(scenario: scenario, database: .sqlite(folder: directory), logger: logger)
    }

    /// - Parameters:
    ///   - strategy: The strategy to run.
    ///   - index: Its position in the scenario, for the database's file name.
    ///   - progress: Called with the number of documents submitted so far.
    public func run(_ strategy: StrategySpec, index: Int, progress: @escaping @Sendable (Int) -> Void = { _ in }) async throws -> StrategyResult {
        let time = RunTime(scenario.clock, timeScale: scenario.timeScale, watchdog: scenario.watchdog)
        let (location, schema) = database.store(scenario: scenario.name, index: index)
        // A virtual run does all its work on one thread: see SimulationThread.
        return try await SimulationThread.confine(scenario.clock == .virtual) {
            try await withStores(scenario.instances, at: location, schema: schema, wallClock: time.wallClock) { stores in
                try await run(strategy, stores: stores, time: time, progress: progress)
            }
        }
    }

    /// Opens `count` stores on one database (the first empties it, when it is a schema of its own): one per instance.
    private func withStores<Result: Sendable>(
        _ count: Int,
        at location: StoreLocation,
        schema: String?,
        wallClock: @escaping @Sendable () -> Date,
        opened: [any MeasuredReviewStore] = [],
        _ body: ([any MeasuredReviewStore]) async throws -> Result
    ) async throws -> Result {
        guard opened.count < count else { return try await body(opened) }
        return try await location.withStore(schema: schema, resetSchema: opened.isEmpty && schema != nil, logger: logger, wallClock: wallClock) { store in
            try await withStores(count, at: location, schema: schema, wallClock: wallClock, opened: opened + [store], body)
        }
    }

    private func run(_ strategy: StrategySpec, stores: [any MeasuredReviewStore], time: RunTime, progress: @escaping @Sendable (Int) -> Void) async throws -> StrategyResult {
        let clock = time.clock
        let secret = WebhookSecret.generate()
        let desk = try MockHelpDesk(configuration: scenario.helpDeskConfiguration, secret: secret, clock: clock, logger: logger, wallClock: time.wallClock)
        let applied = AppliedInstants(wallInstants: clock.isVirtual)
        let polls = PollCounts()
        if clock.isVirtual { desk.onDecision { applied.decided($0) } }

        ProcessMemory.resetPeak()
        let cpuStart = CPUTime.now
        let wallStart = ContinuousClock.now
        let modelStart = clock.now
        let host = HelpDeskHost(desk: desk, restarts: scenario.helpDeskRestarts, clock: clock, logger: logger)
        let reconciled = LockedCounter()
        let (fleet, submissions, end, origin, replayed) = try await time.drive { try await host.serve { deskPort in
            let faults = scenario.receiverFaults.isNone ? nil : ReceiverFaultMiddleware(faults: scenario.receiverFaults, clock: clock)
            let storeOutage = scenario.storeOutage.map { StoreOutageGate(window: $0, clock: clock) }
            let middleware: [any MiddlewareProtocol<Request, Response, BasicRequestContext>] = faults.map { [$0] } ?? []
            let (scenario, logger) = (self.scenario, self.logger)
            let fleet = AppFleet(count: stores.count, clock: clock, middleware: middleware, logger: logger) { index in
                var configuration = ReviewAppConfiguration(helpDeskURL: "http://127.0.0.1:\(deskPort)", strategy: strategy, webhookSecrets: [secret])
                configuration.transport = scenario.transport
                configuration.maxRequestsInFlight = scenario.maxInFlight
                configuration.seed = scenario.seed
                configuration.network = scenario.networkWithSeed
                if stores.count > 1 { configuration.sharing = InstanceSharing(instance: "app-\(index)", lease: scenario.lease) }
                let store: any ReviewStore = storeOutage.map { UnavailableWindowStore(base: stores[index], gate: $0) } ?? stores[index]
                let app = ReviewApp(configuration: configuration, store: store, clock: clock, logger: logger, wallClock: time.wallClock)
                app.ledger.onVerdictApplied { event in
                    applied.record(desk.submissionOrdinal(of: event.documentId), documentId: event.documentId, at: event.appliedAt)
                    if event.source == .reconciliation { reconciled.increment() }
                }
                app.onStatusPoll { documentId in polls.count(desk.submissionOrdinal(of: documentId)) }
                return app
            }
            try await fleet.start()
            faults?.begin()
            storeOutage?.begin()
            let start = clock.now
            let stopper = SimulationTask(on: clock, label: "the stop of instance 0") { [stop = scenario.instanceStop] in
                guard let stop else { return }
                try await clock.sleep(until: start.advanced(by: stop.at))
                try await fleet.stop(0, restartAfter: stop.down)
            }
            // Once the receiver's outage is over, our app enables its endpoint again and asks for what failed meanwhile.
            let recovery = SimulationTask(on: clock, label: "our app's webhook recovery") { [outage = scenario.receiverFaults.outage, wallClock = time.wallClock] () -> Int in
                guard let outage, outage.recoverAfter else { return 0 }
                try await clock.sleep(until: start.advanced(by: outage.end))
                let since = wallClock().addingTimeInterval(-clock.baseDuration(fromModel: outage.length).secondsValue)
                return try await fleet.apps[0].recoverWebhooks(since: since).replayed
            }
            var submitter = OpenLoopSubmitter(schedule: scenario.arrivals, route: fleet.route)
            if clock.isVirtual { submitter.clock = clock }
            submitter.documentNumbers = scenario.documentNumbers
            let submissions = try await submitter.run(progress: progress)
            // A stop planned after the last arrival still happens, and its instance comes back, before the drain.
            _ = await stopper.result
            let replayed = try await recovery.value
            await drain(fleet: fleet, desk: desk, clock: clock, strategy: strategy)
            // The run is over: on a virtual clock, time stands still while everything stops.
            let end = clock.now
            time.stepper?.freeze()
            // Read once the apps have stopped: the last receipt's counters are written after its row is.
            try await fleet.stop()
            return (fleet, submissions, end, start, replayed)
        } }
        let peakResident = ProcessMemory.peakResidentBytes
        let cpu = CPUTime.now - cpuStart
        let wallDuration = wallStart.duration(to: .now)
        let modelDuration = modelStart.duration(to: clock.isVirtual ? end : clock.now)
        let (counts, traffic, receiver, ledger) = (fleet.strategyCounts, fleet.traffic, fleet.receiverTraffic, fleet.ledgerCounts)

        // Per-document tallies go by the Help Desk's submission ordinal, read one at a time: a run may hold a million.
        let byDocument = applied.latenciesByOrdinal(count: submissions.submitted) { desk.decision(ofSubmission: UInt64($0))?.decidedAt }
        let latencies = byDocument.compactMap { $0 }
        let latencySeconds = latencies.map(\.secondsValue)
        let pollsByDocument = polls.counts(count: byDocument.count)
        let overhead = clock.isVirtual ? LatencySummary.histogram(applied.wallOverheads()) : nil
        let rows = try await RowTally(store: stores[0]) { documentId in desk.submissionOrdinal(of: documentId).flatMap { desk.decision(ofSubmission: $0)?.verdict } }
        let (total, pending, wrongVerdicts) = (rows.total, rows.pending, rows.wrongVerdicts)
        let stats = desk.stats()
        let peaks = desk.peakRates
        let statements = stores.reduce(StatementStatistics()) { total, store in
            let statistics = store.statementStatistics()
            return StatementStatistics(statements: total.statements + statistics.statements, totalDuration: total.totalDuration + statistics.totalDuration)
        }
        let models = ModelComparison(
            strategy, on: scenario, window: modelDuration, streamFrames: desk.streamFrameSizes(), submitted: byDocument.count,
            latencySeconds: latencySeconds
        ) { desk.documentId(ofSubmission: $0) }
        let unreachedAttempts = max(0, stats.deliveries.attempts + stats.deliveries.duplicatesSent - receiver.requests)

        return StrategyResult(
            scenario: scenario.name,
            strategy: strategy,
            documents: scenario.documents,
            completed: total - pending,
            lost: pending,
            submissions: submissions,
            peakResidentBytes: peakResident,
            accepted: stats.documents.accepted,
            declined: stats.documents.declined,
            latency: LatencySummary(latencies),
            model: models.model,
            latencyDistance: models.distance,
            submitRequests: stats.requestCount(route: "POST /document"),
            statusRequests: stats.requestCount(route: "GET /document/{documentId}"),
            statusNotModified: stats.requestCount(route: "GET /document/{documentId}", status: 304),
            eventRequests: stats.requestCount(route: "GET /events"),
            streamRequests: stats.requestCount(route: "GET /events/stream"),
            streamEvents: stats.streams.eventsSent,
            streamHeartbeats: stats.streams.heartbeatsSent,
            streamBytes: stats.streams.bytesSent,
            instances: fleet.count,
            documentsPolledTwice: fleet.documentsPolledTwice(within: strategy.longestInterval),
            documentsHandedOver: fleet.documentsHandedOver,
            webhookAttempts: stats.deliveries.attempts,
            webhookRetries: max(0, stats.deliveries.attempts - stats.deliveries.messages + stats.deliveries.dropped),
            webhookFailedAttempts: stats.deliveries.failedAttempts,
            duplicatesSent: stats.deliveries.duplicatesSent,
            thinFetches: traffic.requests[.thinFetch] ?? 0,
            learningRequests: counts.requests + unreachedAttempts,
            wastedRequests: counts.wasted + unreachedAttempts,
            duplicatesSuppressed: ledger.duplicatesSuppressed,
            conflicts: ledger.conflicts,
            doubleApplied: applied.repeats,
            wrongVerdicts: wrongVerdicts,
            bytesSent: traffic.bytesSent + receiver.bytesSent,
            bytesReceived: traffic.bytesReceived + receiver.bytesReceived,
            dbStatements: statements.statements,
            dbTime: statements.totalDuration,
            cpu: cpu,
            wallDuration: wallDuration,
            modelDuration: modelDuration,
            timeScale: scenario.effectiveTimeScale,
            clock: scenario.clock,
            network: scenario.network,
            stepper: time.stepper?.statistics,
            overhead: overhead.map(LatencySummary.init(histogram:)),
            overheadHistogram: overhead,
            incomplete: time.stepper?.stall?.description,
            modelOnDraws: models.onDraws,
            latencyDistanceOnDraws: models.distanceOnDraws,
            perDocument: zip(byDocument, pollsByDocument).enumerated().map { ordinal, outcome in
                let decided = desk.decision(ofSubmission: UInt64(ordinal))?.decidedAt
                return DocumentOutcome(latency: outcome.0, statusPolls: outcome.1, decidedAt: decided.map { origin.duration(to: $0) })
            },
            rateLimited: stats.faults.rateLimited,
            peakReadsPerMinute: peaks.readsPerMinute,
            peakDeliveriesPerSecond: peaks.attemptsPerSecond,
            peakDeliveriesPerMinute: peaks.attemptsPerMinute,
            webhooksReplayed: replayed,
            recoveryRequests: stats.requestCount(route: "POST /endpoints/enable") + stats.requestCount(route: "POST /deliveries/replay"),
            reconciled: reconciled.value,
            offered: scenario.vendor?.availability(of: strategy)
        )
    }

    /// Waits until every row has its verdict and the Help Desk has no webhook left to send (a retry of a delivery
    /// that was applied but answered too late must still arrive), for as long as that keeps moving.
    ///
    /// The drain gives up only after a whole *stall window* passes with no verdict applied and no webhook attempt
    /// made: the longest review, twice the strategy's longest wait, a second, and the scenario's extra time. A
    /// fixed limit instead would end a run whose deliveries are merely queued (a slow receiver holds every
    /// connection of the Help Desk's dispatcher for a whole timeout, so later first attempts wait their turn) and
    /// count their documents as lost.
    private func drain(fleet: AppFleet, desk: MockHelpDesk, clock: SimulationClock, strategy: StrategySpec) async {
        // Several instances may wait out a lease (and a stopped instance) before another polls what one left.
        let leases = scenario.instances > 1 ? scenario.lease * 2 + (scenario.instanceStop?.down ?? .zero) : .zero
        // A webhook the stopped instance refused on every attempt while it was down comes back at the first step of
        // the retry schedule longer than the stop (at most that, jitter included), after the instance is back.
        let delivery = scenario.helpDeskConfiguration.delivery
        let refused = scenario.instanceStop.map { stop in
            (delivery.schedule.delays.first { $0 > stop.down } ?? .zero) * (1 + delivery.jitter)
        } ?? .zero
        let stall = scenario.longestReviewDelay + strategy.longestInterval * 2 + .seconds(1) + scenario.extraDrain + leases + refused
        let documents = scenario.documents
        func progress() -> [Int] { [fleet.applied, desk.stats().deliveries.attempts] }
        var seen = progress()
        while true {
            let finished: Void? = await clock.run(until: clock.now.advanced(by: stall), label: "the drain") {
                await fleet.waitForApplied(count: documents)
                await desk.waitForDeliveriesSettled()
            }
            let now = progress()
            if finished != nil || now == seen || Task.isCancelled { return }
            seen = now
        }
    }
}

/// A strategy's model on a run's workload and on the run's own draws, and the Kolmogorov–Smirnov distance of each to
/// the latencies measured.
struct ModelComparison {
    var model: StrategyModel
    var distance: Double?
    /// The same model on the run's own review delays and fault draws: where the model is exact, sampling error drops out.
    var onDraws: StrategyModel?
    var distanceOnDraws: Double?

    /// - Parameters:
    ///   - window: The run's model time.
    ///   - streamFrames: The sizes of the event stream's frames, as the Help Desk writes them.
    ///   - submitted: Documents submitted, numbered from 0 in the order the Help Desk took them.
    ///   - latencySeconds: The latencies measured.
    ///   - documentId: The id the Help Desk gave document `ordinal`, for models that read ids.
    init(
        _ strategy: StrategySpec,
        on scenario: ScenarioSpec,
        window: Duration,
        streamFrames: (event: Int?, heartbeat: Int, opening: Int)?,
        submitted: Int,
        latencySeconds: [Double],
        documentId: (UInt64) -> String?
    ) {
        let workload = scenario.modelWorkload(window: window, streamFrames: streamFrames)
        model = strategy.model(workload)
        let drawn = (try? workload.onDraws((0..<UInt64(submitted)).map { scenario.reviewDelay(ofSubmission: $0).secondsValue }))?
            .onFaultDraws(seed: scenario.seed)
            .withDocumentIds(strategy.modelReadsDocumentIds ? (0..<UInt64(submitted)).map { documentId($0) ?? "" } : nil)
        onDraws = drawn.map { strategy.model($0) }
        // On a virtual clock a measured latency owes nothing to the machine: a model's atom at zero can be compared.
        let comparable = { (model: StrategyModel) in scenario.clock == .virtual || !model.latency.hasAtomAtZero }
        distance = comparable(model) ? model.latency.kolmogorovSmirnovDistance(to: latencySeconds) : nil
        distanceOnDraws = onDraws.flatMap { comparable($0) ? $0.latency.kolmogorovSmirnovDistance(to: latencySeconds) : nil }
    }
}

/// When each row first got its verdict, and how often a row got one again, by the Help Desk's submission ordinal;
/// on a virtual clock also the wall instants of each decision and of its first verdict, for the harness's overhead.
final class AppliedInstants: Sendable {
    private struct State {
        /// Model nanoseconds of the first verdict, -1 when none yet, by submission ordinal.
        var first: [Int64] = []
        /// Wall nanoseconds since the start of the decision and of the first verdict, -1 when none yet.
        var decidedWall: [Int64] = []
        var firstWall: [Int64] = []
        /// A row the Help Desk does not know (none in a run): by its id.
        var unknown: [String: SimulationClock.Instant] = [:]
        var repeats = 0
    }

    private let state = Mutex(State())
    private let wallStart = ContinuousClock.now
    private let wallInstants: Bool

    init(wallInstants: Bool = false) {
        self.wallInstants = wallInstants
    }

    private var wallNanoseconds: Int64 { wallStart.duration(to: .now).nanosecondsValue }

    /// Document `ordinal` was decided now.
    func decided(_ ordinal: UInt64) {
        let now = wallNanoseconds
        state.withLock { state in Self.set(&state.decidedWall, Int(ordinal), now) }
    }

    func record(_ ordinal: UInt64?, documentId: String, at instant: SimulationClock.Instant) {
        let nanoseconds = instant.offset.nanosecondsValue
        let wall = wallInstants ? wallNanoseconds : -1
        state.withLock { state in
            guard let ordinal = ordinal.map(Int.init) else {
                if state.unknown[documentId] == nil { state.unknown[documentId] = instant } else { state.repeats += 1 }
                return
            }
            if ordinal < state.first.count, state.first[ordinal] >= 0 {
                state.repeats += 1
                return
            }
            Self.set(&state.first, ordinal, nanoseconds)
            if wall >= 0 { Self.set(&state.firstWall, ordinal, wall) }
        }
    }

    /// Sets `values[index]`, growing the array (filled with -1) by doubling.
    private static func set(_ values: inout [Int64], _ index: Int, _ value: Int64) {
        if index >= values.count {
            values.append(contentsOf: repeatElement(-1, count: max(index + 1 - values.count, values.count)))
        }
        values[index] = value
    }

    /// Wall time from each decision to its first verdict in our row.
    func wallOverheads() -> [Duration] {
        state.withLock { state in
            zip(state.decidedWall, state.firstWall).compactMap { decided, applied in
                decided >= 0 && applied >= 0 ? .nanoseconds(applied - decided) : nil
            }
        }
    }

    /// From each document's decision (`decidedAt(ordinal)`) to its first verdict in our row, by ordinal from 0 to
    /// `count`, `nil` for a document without both.
    func latenciesByOrdinal(count: Int, decidedAt: (Int) -> SimulationClock.Instant?) -> [Duration?] {
        state.withLock { state in
            (0..<count).map { ordinal in
                let nanoseconds = ordinal < state.first.count ? state.first[ordinal] : -1
                guard nanoseconds >= 0, let decided = decidedAt(ordinal) else { return nil }
                return decided.duration(to: SimulationClock.Instant(offset: .nanoseconds(nanoseconds)))
            }
        }
    }

    /// Verdicts applied to a row that already had one.
    var repeats: Int { state.withLock { $0.repeats } }
}

/// Status polls our app sent, by the Help Desk's submission ordinal of the document.
final class PollCounts: Sendable {
    private let counts = Mutex<[Int32]>([])

    func count(_ ordinal: UInt64?) {
        guard let ordinal = ordinal.map(Int.init) else { return }
        counts.withLock { counts in
            if ordinal >= counts.count { counts.append(contentsOf: repeatElement(0, count: max(ordinal + 1 - counts.count, counts.count))) }
            counts[ordinal] += 1
        }
    }

    /// The counts of ordinals 0 to `count`.
    func counts(count: Int) -> [Int] {
        counts.withLock { counts in (0..<count).map { $0 < counts.count ? Int(counts[$0]) : 0 } }
    }
}

/// Our app's rows counted by state, read as a stream so a million rows are never all in memory.
struct RowTally: Sendable {
    var total = 0
    var pending = 0
    /// Rows holding a verdict other than the one `verdict(documentId)` says the Help Desk decided.
    var wrongVerdicts = 0

    init(store: any StoreMeasurement, verdict: @escaping @Sendable (String) -> DocumentStatus?) async throws {
        self = try await store.tallyStatuses(into: RowTally()) { tally, documentId, status in
            tally.total += 1
            if status == .pendingReview {
                tally.pending += 1
            } else if verdict(documentId) != status {
                tally.wrongVerdicts += 1
            }
        }
    }

    private init() {}
}

/// A run's clock and its wall clock, and on a virtual clock the stepper that moves it.
struct RunTime: Sendable {
    let clock: SimulationClock
    let stepper: VirtualTimeStepper?
    /// Wall time as both sides write it (rows, signatures, events): the real clock, or on a virtual clock the wall
    /// instant the run started plus model time.
    let wallClock: @Sendable () -> Date

    init(_ kind: RunClock, timeScale: Double, watchdog: Duration) {
        switch kind {
        case .wall:
            clock = SimulationClock(base: ContinuousClock(), timeScale: timeScale)
            stepper = nil
            wallClock = { Date() }
        case .virtual:
            let clock = SimulationClock.virtual()
            let epoch = Date()
            self.clock = clock
            stepper = VirtualTimeStepper(clock: clock, watchdog: watchdog)
            wallClock = { epoch.addingTimeInterval(clock.now.offset.secondsValue) }
        }
    }

    /// Runs `body` while model time moves: on a virtual clock, driven by the stepper.
    func drive<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
        guard let stepper else { return try await body() }
        return try await stepper.drive(body)
    }
}

/// A failed benchmark step, with what failed.
public struct BenchError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// A count shared by concurrent listeners.
private final class LockedCounter: Sendable {
    private let count = Mutex(0)

    func increment() { count.withLock { $0 += 1 } }

    var value: Int { count.withLock { $0 } }
}
