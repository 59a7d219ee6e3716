import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The Help Desk client's transport on Foundation's `URLSession` (libcurl on Linux): an ephemeral session with no
/// cache and no cookies, at most `maxConnections` connections to the Help Desk, and a delegate that refuses every
/// redirect and hands each answer's bytes over as they arrive, so a body is bounded while it is read and an event
/// stream is read as it comes.
final class URLSessionTransport: HelpDeskTransport {
    private let session: URLSession
    private let delegate: SessionDelegate

    init(maxConnections: Int) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = maxConnections
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        // Each request's own deadline applies; the session's idle timeouts must not cut a long-poll or a quiet stream.
        configuration.timeoutIntervalForRequest = 24 * 3600
        configuration.timeoutIntervalForResource = 7 * 24 * 3600
        delegate = SessionDelegate()
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: queue)
    }

    func send(_ request: TransportRequest, maxBody: Int) async throws -> (status: Int, headers: HTTPHeaders, body: Data) {
        let exchange = try start(request, limit: maxBody)
        // The deadline covers the whole answer, its body included.
        let timer = deadline(for: exchange, after: request.timeout)
        defer { timer.cancel() }
        let head = try await exchange.head()
        var data = Data()
        for try await chunk in exchange.body {
            data.append(contentsOf: chunk.readableBytesView)
        }
        // A cancelled caller ends the body early, without an error from the stream: the answer is not whole.
        try Task.checkCancellation()
        return (head.status, head.headers, data)
    }

    func open(_ request: TransportRequest) async throws -> (status: Int, headers: HTTPHeaders, body: EventStreamBody) {
        let exchange = try start(request, limit: nil)
        let timer = deadline(for: exchange, after: request.timeout)
        defer { timer.cancel() }
        let head = try await exchange.head()
        return (head.status, head.headers, EventStreamBody(exchange.body))
    }

    func shutdown() async throws {
        session.invalidateAndCancel()
    }

    /// A request started: its head to wait for, and its body as it comes.
    private struct Exchange {
        let task: URLSessionDataTask
        let body: AsyncThrowingStream<ByteBuffer, any Error>
        let head: () async throws -> (status: Int, headers: HTTPHeaders)
    }

    private func start(_ request: TransportRequest, limit: Int?) throws -> Exchange {
        guard let url = URL(string: request.url) else { throw TransportError(description: "not a URL: \(request.url)") }
        var built = URLRequest(url: url)
        built.httpMethod = request.method.rawValue
        for header in request.headers { built.addValue(header.value, forHTTPHeaderField: header.name) }
        built.httpBody = request.body
        built.timeoutInterval = 24 * 3600
        let task = session.dataTask(with: built)
        let (body, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        // A reader that stops early (a cancelled stream) closes the connection.
        continuation.onTermination = { termination in
            if case .cancelled = termination { task.cancel() }
        }
        let delegate = self.delegate
        let head: () async throws -> (status: Int, headers: HTTPHeaders) = {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { head in
                    delegate.register(task.taskIdentifier, head: head, body: continuation, limit: limit)
                    task.resume()
                }
            } onCancel: {
                task.cancel()
            }
        }
        return Exchange(task: task, body: body, head: head)
    }

    /// Fails the exchange with a timeout once `timeout` passes, unless cancelled first.
    private func deadline(for exchange: Exchange, after timeout: Duration) -> Task<Void, Never> {
        Task { [delegate, task = exchange.task] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            delegate.timeOut(task.taskIdentifier, after: timeout)
            task.cancel()
        }
    }
}

/// Hands each task's answer to whoever waits for it: the head once, then the body piece by piece.
private final class SessionDelegate: NSObject, URLSessionDataDelegate, Sendable {
    private struct Exchange {
        var head: CheckedContinuation<(status: Int, headers: HTTPHeaders), any Error>?
        let body: AsyncThrowingStream<ByteBuffer, any Error>.Continuation
        let limit: Int?
        var received = 0
        /// Why the exchange was ended on our side (a timeout, a body over its bound), to report instead of the
        /// cancellation that ended it.
        var failure: (any Error)?
    }

    private let exchanges = Mutex<[Int: Exchange]>([:])

    func register(
        _ id: Int,
        head: CheckedContinuation<(status: Int, headers: HTTPHeaders), any Error>,
        body: AsyncThrowingStream<ByteBuffer, any Error>.Continuation,
        limit: Int?
    ) {
        exchanges.withLock { $0[id] = Exchange(head: head, body: body, limit: limit) }
    }

    func timeOut(_ id: Int, after timeout: Duration) {
        let head = exchanges.withLock { exchanges -> CheckedContinuation<(status: Int, headers: HTTPHeaders), any Error>? in
            guard var exchange = exchanges[id] else { return nil }
            exchange.failure = exchange.failure ?? TransportError.timedOut(timeout)
            let head = exchange.head
            exchange.head = nil
            exchanges[id] = exchange
            return head
        }
        head?.resume(throwing: TransportError.timedOut(timeout))
    }

    func urlSession(
        _ session: URLSession,
        dataTask: URLSessionDataTask,
        didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        guard let http = response as? HTTPURLResponse else {
            completionHandler(.cancel)
            return
        }
        var headers = HTTPHeaders()
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers.add(name: name, value: value) }
        }
        let head = exchanges.withLock { exchanges -> CheckedContinuation<(status: Int, headers: HTTPHeaders), any Error>? in
            let head = exchanges[dataTask.taskIdentifier]?.head
            exchanges[dataTask.taskIdentifier]?.head = nil
            return head
        }
        completionHandler(.allow)
        head?.resume(returning: (http.statusCode, headers))
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let (body, overflowed) = exchanges.withLock { exchanges -> (AsyncThrowingStream<ByteBuffer, any Error>.Continuation?, Bool) in
            guard var exchange = exchanges[dataTask.taskIdentifier] else { return (nil, false) }
            exchange.received += data.count
            let overflowed = exchange.limit.map { exchange.received > $0 } ?? false
            if overflowed, let limit = exchange.limit { exchange.failure = exchange.failure ?? TransportError.bodyTooLarge(limit) }
            exchanges[dataTask.taskIdentifier] = exchange
            return (exchange.body, overflowed)
        }
        if overflowed {
            dataTask.cancel()
        } else {
            body?.yield(ByteBuffer(bytes: data))
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let exchange = exchanges.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        let failure = exchange.failure ?? error
        exchange.head?.resume(throwing: failure ?? TransportError(description: "the connection closed before an answer"))
        if let failure {
            exchange.body.finish(throwing: failure)
        } else {
            exchange.body.finish()
        }
    }

    /// A redirect is an answer, not a place to go: the 3xx reaches the caller as it is.
    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest,
        completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
