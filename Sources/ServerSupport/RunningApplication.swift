import Hummingbird
import Logging
import ServiceLifecycle

/// Runs an application for as long as `body` runs, handing `body` the port it bound (ask for port 0 to get a free
/// one), then shuts it down gracefully and waits until it has stopped.
/// - Parameters:
///   - makeApplication: Builds the application with the `onServerRunning` callback it must pass on.
///   - logger: The service group's logger.
///   - body: Runs while the application serves.
public func withRunningApplication<App: ApplicationProtocol, Result: Sendable>(
    _ makeApplication: (@escaping @Sendable (Int) async -> Void) -> App,
    logger: Logger = .quiet,
    _ body: (Int) async throws -> Result
) async throws -> Result {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = makeApplication { port in continuation.yield(port) }
    let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            defer { continuation.finish() }
            try await services.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await group.next()
            throw CancellationError()
        }
        let result: Swift.Result<Result, any Error>
        do {
            result = .success(try await body(port))
        } catch {
            result = .failure(error)
        }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
        return try result.get()
    }
}

extension Logger {
    /// A logger that shows warnings and worse only.
    public static var quiet: Logger {
        var logger = Logger(label: "async-flows")
        logger.logLevel = .warning
        return logger
    }
}
