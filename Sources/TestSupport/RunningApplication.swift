import Hummingbird
import Logging
import ServiceLifecycle

/// Runs an application bound to port 0 for as long as `body` runs, handing `body` the port it got, then shuts it
/// down gracefully.
public func withRunningApplication<App: ApplicationProtocol, Result: Sendable>(
    _ makeApplication: (@escaping @Sendable (Int) async -> Void) -> App,
    _ body: (Int) async throws -> Result
) async throws -> Result {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = makeApplication { port in continuation.yield(port) }
    let services = ServiceGroup(configuration: .init(services: [app], logger: .quiet))
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
    /// A logger for tests: warnings and worse only.
    public static var quiet: Logger {
        var logger = Logger(label: "tests")
        logger.logLevel = .warning
        return logger
    }
}
