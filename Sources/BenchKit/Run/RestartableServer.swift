import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// One HTTP application at a time, which can be stopped and started again (on the same port): the Help Desk's front
/// end restarted with its state, or an app instance stopped mid-run.
final class RestartableServer: Sendable {
    private struct Running: Sendable {
        var group: ServiceGroup
        var task: Task<Void, any Error>
    }

    private let logger: Logger
    private let running = Mutex<Running?>(nil)

    init(logger: Logger) {
        self.logger = logger
    }

    /// Starts the application `makeApplication` builds (passing it the `onServerRunning` to call) and returns the
    /// port it bound.
    func start<App: ApplicationProtocol>(_ makeApplication: (@escaping @Sendable (Int) async -> Void) -> App) async throws -> Int {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = makeApplication { continuation.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            try await task.value
            throw BenchError("a server stopped before it listened")
        }
        running.withLock { $0 = Running(group: group, task: task) }
        return bound
    }

    /// Stops serving gracefully (requests in flight finish) and waits until the server has stopped; nothing when it
    /// is not serving.
    func stop() async throws {
        guard let current = take() else { return }
        await current.group.triggerGracefulShutdown()
        try await current.task.value
    }

    private func take() -> Running? {
        running.withLock { running in
            defer { running = nil }
            return running
        }
    }
}
