import Flows
import Foundation
import Hummingbird
import Logging
import SimulationSupport
import Synchronization

/// One app instance stopped in the middle of a run: at `at` (model time from the run's start) instance 0 stops,
/// releasing none of its leases (as a killed process leaves them; in one process a stop is the nearest to a kill
/// there is, and `scripts/crash_check.py` covers SIGKILL of a real process); after `down` it starts again with the
/// same name on the same port and takes back what it still holds.
public struct InstanceStop: Sendable, Hashable {
    public var at: Duration
    public var down: Duration

    public init(at: Duration, down: Duration) {
        self.at = at
        self.down = down
    }
}

/// The app instances of one run, each its own server, Help Desk client and strategy, all over one database: one
/// instance for a usual run, several sharing the work through the store's leases.
///
/// It keeps every app object it made (a killed instance's counters stay counted after it restarts) and adds up
/// their figures.
final class AppFleet: Sendable {
    private let make: @Sendable (_ index: Int) -> ReviewApp
    private let middleware: [any MiddlewareProtocol<Request, Response, BasicRequestContext>]
    private let servers: [RestartableServer]
    private let made = Mutex<[(index: Int, app: ReviewApp)]>([])
    private let ports = Mutex<[Int]>([])
    /// Whether each instance is serving (a stopped one gets no new submission).
    private let up = Mutex<[Bool]>([])
    /// Every status poll, with several instances.
    private let polls = PollRecord()
    /// Notified whenever any instance applies a verdict.
    private let appliedChanges = ChangeWaiters<Int>()
    private let clock: SimulationClock

    /// - Parameters:
    ///   - count: Instances.
    ///   - clock: Model time, for the poll record.
    ///   - middleware: Runs around every route of every instance (a scenario's receiver faults).
    ///   - make: Builds instance `index`'s app, a new object each time it starts.
    init(
        count: Int,
        clock: SimulationClock,
        middleware: [any MiddlewareProtocol<Request, Response, BasicRequestContext>],
        logger: Logger,
        make: @escaping @Sendable (_ index: Int) -> ReviewApp
    ) {
        precondition(count > 0)
        self.make = make
        self.middleware = middleware
        self.clock = clock
        self.servers = (0..<count).map { _ in RestartableServer(logger: logger) }
    }

    var count: Int { servers.count }

    /// Every app object made so far, the killed ones included.
    var apps: [ReviewApp] { made.withLock { $0.map(\.app) } }

    /// Where document `index`'s submission goes: round robin over the instances that are up, as a load balancer
    /// with health checks sends it.
    func route(_ index: Int) -> String {
        let (ports, up) = (self.ports.withLock { $0 }, self.up.withLock { $0 })
        let serving = ports.indices.filter { up[$0] }
        let chosen = serving.isEmpty ? index % ports.count : serving[index % serving.count]
        return "http://127.0.0.1:\(ports[chosen])"
    }

    /// Starts every instance, each on a free port.
    func start() async throws {
        var bound: [Int] = []
        for index in servers.indices { bound.append(try await start(index, port: 0)) }
        ports.withLock { $0 = bound }
        up.withLock { $0 = Array(repeating: true, count: bound.count) }
    }

    private func start(_ index: Int, port: Int) async throws -> Int {
        let app = make(index)
        // Only several instances can poll one document twice; one instance's polls are not kept.
        if servers.count > 1 {
            app.onStatusPoll { [polls, clock] documentId in polls.record(documentId, by: index, at: clock.now) }
        }
        app.ledger.onVerdictApplied { [appliedChanges] _ in appliedChanges.notify(0) }
        made.withLock { $0.append((index, app)) }
        let middleware = self.middleware
        return try await servers[index].start { onRunning in
            app.makeApplication(port: port, middleware: middleware, onServerRunning: onRunning)
        }
    }

    /// Stops instance `index` now and starts it again after `down` of model time, on the same port.
    func stop(_ index: Int, restartAfter down: Duration) async throws {
        up.withLock { $0[index] = false }
        try await servers[index].stop()
        // Every request the instance had in flight has ended: a poll of one of its documents from now on is a handover.
        polls.recordStop(of: index, at: clock.now)
        try await clock.sleep(for: down)
        let port = ports.withLock { $0[index] }
        _ = try await start(index, port: port)
        up.withLock { $0[index] = true }
    }

    /// Stops every instance gracefully.
    func stop() async throws {
        for server in servers { try await server.stop() }
    }

    /// Returns once the instances have applied `count` verdicts between them (or the task is cancelled).
    func waitForApplied(count: Int) async {
        while applied < count, !Task.isCancelled {
            await appliedChanges.wait(for: 0) { self.applied >= count }
        }
    }

    var applied: Int { apps.reduce(0) { $0 + $1.ledger.snapshot.applied } }

    var strategyCounts: StrategyCounts {
        apps.reduce(into: StrategyCounts()) { total, app in
            total.requests += app.strategyCounts.requests
            total.wasted += app.strategyCounts.wasted
        }
    }

    var traffic: HelpDeskTraffic {
        apps.reduce(into: HelpDeskTraffic()) { total, app in
            let traffic = app.client.traffic
            for (kind, count) in traffic.requests { total.requests[kind, default: 0] += count }
            total.bytesSent += traffic.bytesSent
            total.bytesReceived += traffic.bytesReceived
        }
    }

    var receiverTraffic: (requests: Int, bytesReceived: Int, bytesSent: Int) {
        apps.reduce((0, 0, 0)) { total, app in
            let traffic = app.receiverTraffic
            return (total.0 + traffic.requests, total.1 + traffic.bytesReceived, total.2 + traffic.bytesSent)
        }
    }

    var ledgerCounts: VerdictCounts {
        apps.reduce(into: VerdictCounts()) { total, app in
            let counts = app.ledger.snapshot
            total.applied += counts.applied
            total.alreadyApplied += counts.alreadyApplied
            total.duplicatesSuppressed += counts.duplicatesSuppressed
            total.conflicts += counts.conflicts
            total.parked += counts.parked
        }
    }

    /// Documents polled by two instances less than `interval` apart: two instances polling one document at once.
    func documentsPolledTwice(within interval: Duration) -> Int {
        polls.documentsPolledTwice(within: interval)
    }

    /// Documents polled by more than one instance: handed over when their instance stopped.
    var documentsHandedOver: Int { polls.documentsHandedOver }
}

/// Which instance polled which document, when (model time), and when instances stopped.
final class PollRecord: Sendable {
    private let polls = Mutex<[String: [(instance: Int, at: SimulationClock.Instant)]]>([:])
    private let stops = Mutex<[Int: [SimulationClock.Instant]]>([:])

    func record(_ documentId: String, by instance: Int, at instant: SimulationClock.Instant) {
        polls.withLock { $0[documentId, default: []].append((instance, instant)) }
    }

    func recordStop(of instance: Int, at instant: SimulationClock.Instant) {
        stops.withLock { $0[instance, default: []].append(instant) }
    }

    /// Documents polled by two instances less than `interval` apart, the first still running when the second polled
    /// (a poll cut short by its instance stopping is no longer in flight: the next instance's is a handover).
    func documentsPolledTwice(within interval: Duration) -> Int {
        let stops = self.stops.withLock { $0 }
        return polls.withLock { polls in
            polls.values.filter { record in
                let sorted = record.sorted { $0.at < $1.at }
                return zip(sorted, sorted.dropFirst()).contains { earlier, later in
                    earlier.instance != later.instance && earlier.at.duration(to: later.at) < interval
                        && !(stops[earlier.instance] ?? []).contains { earlier.at <= $0 && $0 <= later.at }
                }
            }.count
        }
    }

    /// Documents polled by more than one instance over the run: the ones handed over.
    var documentsHandedOver: Int {
        polls.withLock { polls in polls.values.filter { Set($0.map(\.instance)).count > 1 }.count }
    }
}
