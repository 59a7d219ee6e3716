import Foundation
import Hummingbird
import Logging
import MockHelpDesk
import ServiceLifecycle
import SimulationSupport
import Synchronization

/// A restart of the Help Desk during a run, as its clients see one: at `at` (model time from the run's start) its
/// HTTP server stops gracefully, every connection and stream closes, and for `down` nothing listens on its port;
/// then it serves again on the same port with the same state. Reviews and webhook deliveries go on meanwhile.
public struct HelpDeskRestart: Sendable, Hashable {
    public var at: Duration
    public var down: Duration

    public init(at: Duration, down: Duration) {
        self.at = at
        self.down = down
    }
}

/// Serves a Help Desk for one run: its scheduler and dispatcher for the whole run, its HTTP front end stopped and
/// started again at each of the scenario's restarts.
struct HelpDeskHost: Sendable {
    let desk: MockHelpDesk
    let restarts: [HelpDeskRestart]
    let clock: SimulationClock
    let logger: Logger

    /// Runs `body` with the Help Desk's port while the Help Desk serves, then stops it.
    func serve<Result: Sendable>(_ body: (Int) async throws -> Result) async throws -> Result {
        let services = ServiceGroup(configuration: .init(services: desk.services, logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            let frontEnd = FrontEnd(desk: desk, logger: logger)
            let result: Swift.Result<Result, any Error>
            do {
                let port = try await frontEnd.start(port: 0)
                let start = clock.now
                let restarter = Task { [restarts, clock] in
                    for restart in restarts {
                        try await clock.sleep(until: start.advanced(by: restart.at))
                        try await frontEnd.stop()
                        try await clock.sleep(for: restart.down)
                        _ = try await frontEnd.start(port: port)
                    }
                }
                do {
                    result = .success(try await body(port))
                } catch {
                    result = .failure(error)
                }
                restarter.cancel()
                _ = await restarter.result
                try await frontEnd.stop()
            } catch {
                await services.triggerGracefulShutdown()
                try? await group.waitForAll()
                throw error
            }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return try result.get()
        }
    }
}

/// The Help Desk's HTTP server alone, which can be stopped and started again.
private final class FrontEnd: Sendable {
    private struct Running: Sendable {
        var group: ServiceGroup
        var task: Task<Void, any Error>
    }

    private let desk: MockHelpDesk
    private let logger: Logger
    private let running = Mutex<Running?>(nil)

    init(desk: MockHelpDesk, logger: Logger) {
        self.desk = desk
        self.logger = logger
    }

    /// Starts serving on `port` (0 for a free one) and returns the port bound.
    func start(port: Int) async throws -> Int {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = desk.makeApplication(port: port, withServices: false) { continuation.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            try await task.value
            throw BenchError("the Help Desk's server stopped before it listened on port \(port)")
        }
        running.withLock { $0 = Running(group: group, task: task) }
        return bound
    }

    /// Stops serving gracefully and waits until the server has stopped; nothing when it is not serving.
    func stop() async throws {
        guard let current = running.withLock({ running -> Running? in
            defer { running = nil }
            return running
        }) else { return }
        await current.group.triggerGracefulShutdown()
        try await current.task.value
    }
}
