import AsyncHTTPClient
import Foundation
import HelpDeskAPI
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import SimulationSupport
import Synchronization

/// Our app's client of the Help Desk API over a chosen transport (AsyncHTTPClient or URLSession) with a bounded
/// number of connections, every request counted.
///
/// It owns its transport; ``shutdown()`` must be called once the app stops (``ReviewApp`` runs it as a service).
public final class HelpDeskClient: Sendable {
    /// What a status request learned.
    public enum StatusAnswer: Sendable, Hashable {
        case state(DocumentState, etag: String?)
        /// 304: the document still matches the `If-None-Match` sent.
        case notModified
        /// 429 or 503: ask again, no sooner than `retryAfter` (model time) when given.
        case retryLater(retryAfter: Duration?)
    }

    /// `POST /endpoints/enable`: asks the Help Desk to send webhooks to `url` again after it disabled it.
    /// - Returns: The endpoint's state, or `nil` when the Help Desk never sent anything to `url` (404).
    public func enableEndpoint(url: String) async throws(HelpDeskClientError) -> Endpoint? {
        let response = try await send(.POST, "/endpoints/enable", headers: Self.jsonHeaders, body: try Self.encode(EnableEndpointRequest(url: url)), kind: .recovery, wait: nil)
        switch response.status {
        case 200: return try response.decode(Endpoint.self)
        case 404: return nil
        default: throw .status(response.status, response.errorBody)
        }
    }

    /// `POST /deliveries/replay`: asks the Help Desk to send again every webhook to `url` that failed or met a
    /// disabled endpoint since `since`. The receiver deduplicates by `webhook-id`, so replaying twice is harmless.
    public func replayDeliveries(since: Date, url: String?) async throws(HelpDeskClientError) -> ReplayResult {
        let response = try await send(.POST, "/deliveries/replay", headers: Self.jsonHeaders, body: try Self.encode(ReplayRequest(since: since, url: url)), kind: .recovery, wait: nil)
        guard response.status == 202 else { throw .status(response.status, response.errorBody) }
        return try response.decode(ReplayResult.self)
    }

    private static let jsonHeaders = HTTPHeaders([("Content-Type", "application/json")])

    private static func encode(_ value: some Encodable) throws(HelpDeskClientError) -> Data {
        do { return try HelpDeskJSON.encode(value) } catch { throw .transport(error) }
    }

    /// What an event-feed request learned.
    public enum EventsAnswer: Sendable, Hashable {
        case page(EventPage)
        case retryLater(retryAfter: Duration?)
    }

    private let baseURL: String
    private let transport: any HelpDeskTransport
    /// The library that carries the requests.
    public let transportKind: HelpDeskTransportKind
    private let clock: SimulationClock
    private let meter = TrafficMeter()
    /// The model time a request may take before it fails (a long-poll's wait comes on top).
    private let requestTimeout: Duration
    private let network: NetworkDelay
    /// Requests sent per method and path, naming each crossing of a network whose delay is drawn.
    private let crossings = Mutex<[String: Int]>([:])

    /// - Parameters:
    ///   - baseURL: The Help Desk, such as `http://127.0.0.1:8080`.
    ///   - clock: Model time; long-poll waits and timeouts are scaled by its time scale.
    ///   - maxConnections: Connections kept to the Help Desk.
    ///   - requestTimeout: Model time a request may take.
    ///   - transport: The HTTP client library that carries the requests.
    ///   - network: The modelled one-way delay of each request and of its answer.
    public init(
        baseURL: String,
        clock: SimulationClock,
        maxConnections: Int = 64,
        requestTimeout: Duration = .seconds(15),
        transport: HelpDeskTransportKind = .asyncHTTPClient,
        network: NetworkDelay = .none
    ) {
        self.transport = transport.make(maxConnections: maxConnections, failFast: clock.isVirtual)
        self.transportKind = transport
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.clock = clock
        self.requestTimeout = requestTimeout
        self.network = network
    }

    /// Every request so far.
    public var traffic: HelpDeskTraffic { meter.snapshot }

    public func shutdown() async throws {
        try await transport.shutdown()
    }

    /// `POST /document`, retried after a network failure or a 5xx with the same idempotency key, so a retry can
    /// never create a second review: after 0.5 s, then 1 s, 2 s, 4 s (model time), long enough to ride out a Help
    /// Desk restart of a few seconds.
    public func submit(
        documentUrl: String,
        callback: (url: String, style: CallbackPayloadStyle)?,
        idempotencyKey: String,
        attempts: Int = 5
    ) async throws(HelpDeskClientError) -> SubmitDocumentResponse {
        var headers = HTTPHeaders([("Content-Type", "application/json"), (HelpDeskHeader.idempotencyKey, idempotencyKey)])
        if let callback {
            headers.add(name: HelpDeskHeader.callbackURL, value: callback.url)
            headers.add(name: HelpDeskHeader.callbackPayload, value: callback.style.rawValue)
        }
        let body: Data
        do {
            body = try HelpDeskJSON.encode(SubmitDocumentRequest(documentUrl: documentUrl))
        } catch {
            throw .transport(error)
        }
        var attempt = 1
        while true {
            do throws(HelpDeskClientError) {
                let response = try await send(.POST, "/document", headers: headers, body: body, kind: .submit, wait: nil)
                guard response.status == 201 else { throw .status(response.status, response.errorBody) }
                return try response.decode(SubmitDocumentResponse.self)
            } catch {
                guard error.isRetryable, attempt < attempts else { throw error }
                try? await clock.sleep(for: .milliseconds(500 << (attempt - 1)))
                attempt += 1
            }
        }
    }

    /// `GET /document/{id}`, conditional when `ifNoneMatch` is given, long-polling when `wait` is.
    public func document(
        _ documentId: String,
        ifNoneMatch: String? = nil,
        wait: Duration? = nil,
        kind: HelpDeskTraffic.Kind = .status
    ) async throws(HelpDeskClientError) -> StatusAnswer {
        var headers = HTTPHeaders()
        if let ifNoneMatch { headers.add(name: "If-None-Match", value: ifNoneMatch) }
        let escaped = documentId.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? documentId
        var path = "/document/\(escaped)"
        if let wait { path += "?wait=\(wait.secondsValue)" }
        let response = try await send(.GET, path, headers: headers, body: nil, kind: kind, wait: wait)
        switch response.status {
        case 200: return .state(try response.decode(DocumentState.self), etag: response.headers.first(name: "ETag"))
        case 304: return .notModified
        case 429, 503: return .retryLater(retryAfter: response.retryAfter)
        default: throw .status(response.status, response.errorBody)
        }
    }

    /// `GET /events` after a cursor (from the start when `nil`).
    public func events(after cursor: String?, limit: Int = 100, wait: Duration? = nil) async throws(HelpDeskClientError) -> EventsAnswer {
        var query = ["limit=\(limit)"]
        if let cursor { query.append("after=\(cursor)") }
        if let wait { query.append("wait=\(wait.secondsValue)") }
        let response = try await send(.GET, "/events?" + query.joined(separator: "&"), headers: [:], body: nil, kind: .events, wait: wait)
        switch response.status {
        case 200: return .page(try response.decode(EventPage.self))
        case 429, 503: return .retryLater(retryAfter: response.retryAfter)
        default: throw .status(response.status, response.errorBody)
        }
    }

    /// What opening the event stream got.
    public enum StreamAnswer: Sendable {
        /// 200: the stream, to read as it comes.
        case stream(EventStreamBody)
        /// 429 or 503: open it again, no sooner than `retryAfter` (model time) when given.
        case retryLater(retryAfter: Duration?)
    }

    /// `GET /events/stream`, resuming right after `lastEventId` when given (from the first decision otherwise).
    ///
    /// The answer's head must arrive within the request timeout; the body then lasts as long as the stream, and its
    /// bytes are counted as they are read. A 400 (an id the Help Desk does not know) is thrown with its status.
    public func openEventStream(lastEventId: String?) async throws(HelpDeskClientError) -> StreamAnswer {
        var headers = HTTPHeaders([("Accept", "text/event-stream")])
        if let lastEventId { headers.add(name: HelpDeskHeader.lastEventID, value: lastEventId) }
        // On a virtual clock, the stream's bytes in transit are work in hand until the body's reader has handled them.
        let work = StreamWork(clock.activity.beginStream("the event stream from \(baseURL)"))
        if let token = work.unit?.token { headers.add(name: SimulationClock.streamHeader, value: token) }
        let request = TransportRequest(method: .GET, url: baseURL + "/events/stream", headers: headers, body: nil, timeout: wallTimeout(wait: nil))
        let response: (status: Int, headers: HTTPHeaders, body: EventStreamBody)
        do {
            // The stream's bytes pay the network's delay as the Help Desk writes them, not as a whole.
            response = try await exchange(request, wait: nil, answerDelayed: false) { try await self.transport.open($0) }
        } catch {
            work.close()
            meter.record(.stream, sent: 0, received: 0)
            throw .transport(error)
        }
        meter.record(.stream, sent: 0, received: 0)
        guard response.status == 200 else {
            work.close()
            let bytes = try? await response.body.collect(upTo: 64 * 1024)
            meter.addReceived(bytes?.count ?? 0)
            let answer = Answer(status: response.status, headers: response.headers, body: bytes ?? Data())
            if response.status == 429 || response.status == 503 { return .retryLater(retryAfter: answer.retryAfter) }
            throw .status(response.status, answer.errorBody)
        }
        return .stream(response.body.counted(by: meter).working(for: work))
    }

    /// The wall time a request may take: the request timeout plus a long-poll's wait, scaled, with a floor of five
    /// real seconds so a compressed time scale does not fail requests that are merely queued. On a virtual clock the
    /// timeout is raced in model time instead (``exchange(_:wait:_:)``), and this only bounds a stalled connection.
    private func wallTimeout(wait: Duration?) -> Duration {
        guard !clock.isVirtual else { return .seconds(3600) }
        return max(clock.baseDuration(fromModel: requestTimeout + (wait ?? .zero)), .seconds(5))
    }

    /// Sends `request` over the modelled network as one exchange of the simulation (see
    /// ``SimulationClock/exchange(_:network:_:)``); on a virtual clock a request the Help Desk may hold fails after
    /// the request timeout (plus a long-poll's wait) of model time.
    private func exchange<Answer: Sendable>(
        _ request: TransportRequest,
        wait: Duration?,
        answerDelayed: Bool = true,
        _ send: @escaping @Sendable (TransportRequest) async throws -> Answer
    ) async throws -> Answer {
        let label = "\(request.method) \(request.url.dropFirst(baseURL.count))"
        let crossing = crossingName(label)
        let network = (self.network.delay(for: crossing + " request"), answerDelayed ? self.network.delay(for: crossing + " answer") : .zero)
        let clock = self.clock
        let attempt = { @Sendable () async throws -> Answer in
            try await clock.exchange(label, network: network) { token in
                var request = request
                if let token { request.headers.add(name: SimulationClock.workHeader, value: token) }
                return try await send(request)
            }
        }
        // On a virtual clock a request can outlast a model-time timeout only if the Help Desk waits on the model
        // before answering: a long-poll or feed wait holds it, a submission may be delayed. A plain read is answered
        // at the instant it arrives; one that never comes back keeps the run busy, which the stepper's watchdog
        // reports. So only the first kind races a deadline, sparing every poll a task of its own.
        guard clock.isVirtual, wait != nil || request.method == .POST else { return try await attempt() }
        let timeout = requestTimeout + (wait ?? .zero)
        let outcome = await clock.run(until: clock.now.advanced(by: timeout), label: label) { () async -> Result<Answer, any Error> in
            do { return .success(try await attempt()) } catch { return .failure(error) }
        }
        guard let outcome else { throw TransportError.timedOut(timeout) }
        return try outcome.get()
    }

    /// `label` with the number of requests so far with the same label, when the network's delays are drawn.
    private func crossingName(_ label: String) -> String {
        guard let oneWay = network.oneWay, !oneWay.isConstant else { return label }
        let number = crossings.withLock { counts in
            counts[label, default: 0] += 1
            return counts[label] ?? 0
        }
        return "\(label) #\(number)"
    }

    /// The longest answer body read; a longer one fails its request.
    static let maxBody = 4 * 1024 * 1024

    private struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var body: Data

        func decode<Value: Decodable>(_ type: Value.Type) throws(HelpDeskClientError) -> Value {
            do { return try HelpDeskJSON.decode(type, from: body) } catch { throw .contract(error) }
        }

        var errorBody: ErrorBody? { try? HelpDeskJSON.decode(ErrorBody.self, from: body) }

        var retryAfter: Duration? {
            headers.first(name: "Retry-After").flatMap(Int.init).map { .seconds(max($0, 0)) }
        }
    }

    private func send(
        _ method: HTTPMethod,
        _ path: String,
        headers: HTTPHeaders,
        body: Data?,
        kind: HelpDeskTraffic.Kind,
        wait: Duration?
    ) async throws(HelpDeskClientError) -> Answer {
        let request = TransportRequest(method: method, url: baseURL + path, headers: headers, body: body, timeout: wallTimeout(wait: wait))
        do {
            let response = try await exchange(request, wait: wait) { [transport] in try await transport.send($0, maxBody: Self.maxBody) }
            meter.record(kind, sent: body?.count ?? 0, received: response.body.count)
            return Answer(status: response.status, headers: response.headers, body: response.body)
        } catch {
            meter.record(kind, sent: body?.count ?? 0, received: 0)
            throw .transport(error)
        }
    }
}

/// The body of an open event stream: its bytes as they arrive from either transport, each piece counted in the
/// client's traffic once the client hands it out.
public struct EventStreamBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    private enum Source: Sendable {
        case asyncHTTPClient(HTTPClientResponse.Body)
        case stream(AsyncThrowingStream<ByteBuffer, any Error>)
    }

    private let source: Source
    private var meter: TrafficMeter?
    private var work: StreamWork?

    init(_ body: HTTPClientResponse.Body) {
        source = .asyncHTTPClient(body)
    }

    init(_ stream: AsyncThrowingStream<ByteBuffer, any Error>) {
        source = .stream(stream)
    }

    /// The same body, every piece read from it counted as received.
    func counted(by meter: TrafficMeter) -> Self {
        var counted = self
        counted.meter = meter
        return counted
    }

    /// The same body, whose reading settles the stream's work (see ``StreamWork``).
    func working(for work: StreamWork) -> Self {
        var working = self
        working.work = work
        return working
    }

    /// The whole body, refused past `limit` bytes.
    func collect(upTo limit: Int) async throws -> Data {
        var data = Data()
        for try await buffer in self {
            guard data.count + buffer.readableBytes <= limit else { throw TransportError.bodyTooLarge(limit) }
            data.append(contentsOf: buffer.readableBytesView)
        }
        return data
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate enum Base {
            case asyncHTTPClient(HTTPClientResponse.Body.AsyncIterator)
            case stream(AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator)
        }

        fileprivate var base: Base
        let meter: TrafficMeter?
        let work: StreamWork?

        /// The next piece. Asking for it says the previous piece has been handled; waiting for it parks the reader's
        /// work unit, the bytes in transit keeping the simulation busy meanwhile.
        public mutating func next() async throws -> ByteBuffer? {
            work?.settleHandedOut()
            let parking = work == nil ? nil : WorkUnit.current?.park()
            let buffer: ByteBuffer?
            do {
                switch base {
                case .asyncHTTPClient(var iterator):
                    buffer = try await iterator.next()
                    base = .asyncHTTPClient(iterator)
                case .stream(var iterator):
                    buffer = try await iterator.next()
                    base = .stream(iterator)
                }
            } catch {
                parking?.end()
                work?.close()
                throw error
            }
            parking?.end()
            if let buffer {
                meter?.addReceived(buffer.readableBytes)
                work?.handOut(buffer.readableBytes)
            } else {
                work?.ended()
            }
            return buffer
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        switch source {
        case .asyncHTTPClient(let body): AsyncIterator(base: .asyncHTTPClient(body.makeAsyncIterator()), meter: meter, work: work)
        case .stream(let stream): AsyncIterator(base: .stream(stream.makeAsyncIterator()), meter: meter, work: work)
        }
    }
}
