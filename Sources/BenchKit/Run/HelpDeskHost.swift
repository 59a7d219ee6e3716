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
            let frontEnd = RestartableServer(logger: logger)
            let desk = self.desk
            let serveOn = { @Sendable (port: Int) async throws -> Int in
                try await frontEnd.start { desk.makeApplication(port: port, withServices: false, onServerRunning: $0) }
            }
            let result: Swift.Result<Result, any Error>
            do {
                let port = try await serveOn(0)
                let start = clock.now
                let restarter = SimulationTask(on: clock, label: "the Help Desk's restarts") { [restarts, clock] in
                    for restart in restarts {
                        try await clock.sleep(until: start.advanced(by: restart.at))
                        try await frontEnd.stop()
                        try await clock.sleep(for: restart.down)
                        _ = try await serveOn(port)
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

