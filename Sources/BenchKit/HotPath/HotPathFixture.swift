import Flows
import Foundation
import HelpDeskAPI
import Hummingbird
import Logging
import MockHelpDesk
import NIOCore
import NIOEmbedded
import ServerSupport
import ServiceLifecycle
import SimulationSupport
import Synchronization

/// A hot path of the system, driven in process: the server's own router and handlers (no sockets) and, for our
/// app, the real SQLite write.
public enum HotPath: String, Sendable, CaseIterable, Hashable {
    /// Our receiver applying one signed webhook: verify, dedupe, update, in one transaction.
    case receiver
    /// The Help Desk answering a status poll with the document (`GET /document/{id}`, 200 and its ETag).
    case poll200 = "poll-200"
    /// The Help Desk answering a status poll whose `If-None-Match` matches (304).
    case poll304 = "poll-304"
    /// The Help Desk taking one submission (`POST /document` with an idempotency key).
    case submission
    /// The Help Desk answering one page of its event feed (`GET /events?after=CURSOR&limit=10`, ten decisions).
    case feedPage = "feed-page"
    /// Our app applying one page of the event feed: ten decisions decoded from the page's JSON and applied with the
    /// cursor in one transaction.
    case eventPage = "event-page"
    /// Our app applying one server-sent event: parsed from the stream's bytes, decoded, applied with its cursor.
    case sseEvent = "sse-event"
}

/// Inputs for a fixed number of operations of one hot path, prepared before any is run, so that running more or
/// fewer of them changes nothing but the operations themselves.
public final class HotPathFixture: Sendable {
    /// Decisions on one feed page.
    public static let eventsPerPage = 10
    /// Documents the status polls go round.
    static let polledDocuments = 100
    /// Pages the feed reads go round.
    static let feedPages = 20

    public let path: HotPath
    public let capacity: Int
    private let folder: URL
    private let store: SQLiteReviewStore
    private let responder: any HTTPResponder<BasicRequestContext>
    private let requests: [PreparedRequest]
    private let pages: [Data]
    private let streamEvents: [ByteBuffer]
    private let logger: Logger
    /// Our app, for the receiver: its Help Desk client must be shut down.
    private let app: ReviewApp?

    private struct PreparedRequest: Sendable {
        var head: HTTPRequest
        var body: ByteBuffer
    }

    /// The instant every signature and timestamp uses, so that inputs are the same bytes in every run.
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Prepares `capacity` operations of `path`.
    public init(path: HotPath, capacity: Int) async throws {
        self.path = path
        self.capacity = capacity
        let logger = Logger(label: "hot-path", factory: { _ in SwiftLogNoOpLogHandler() })
        self.logger = logger
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("hot-path-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // The log is checkpointed in the commit that fills it, as SQLite itself does: a checkpoint beside the writer
        // would copy however many pages had been written when its thread got to run, a count that differs from run
        // to run.
        store = try SQLiteReviewStore(path: folder.appendingPathComponent("reviews.sqlite").path, checkpoints: .inTheCommit)
        let rows = path == .eventPage ? capacity * Self.eventsPerPage : capacity
        try await PendingRows.load(rows, into: store)
        let secret = try WebhookSecret("whsec_" + Data(repeating: 7, count: 32).base64EncodedString())
        let clock = SimulationClock(base: ContinuousClock())
        let fixed = { @Sendable in Self.now }
        var requests: [PreparedRequest] = []
        var pages: [Data] = []
        var streamEvents: [ByteBuffer] = []
        var app: ReviewApp?
        switch path {
        case .receiver:
            let receiving = ReviewApp(
                configuration: ReviewAppConfiguration(helpDeskURL: "http://127.0.0.1:9", strategy: .webhook, webhookSecrets: [secret]),
                store: store, clock: clock, logger: logger, wallClock: fixed
            )
            app = receiving
            let router = Router()
            receiving.addRoutes(to: router)
            responder = router.buildResponder()
            let signer = WebhookSigner(secret: secret)
            let timestamp = Int64(Self.now.timeIntervalSince1970)
            for index in 0..<capacity {
                let body = #"{"agentId":"agent_1","documentId":"\#(PendingRows.documentId(index))","documentStatus":"\#(index % 10 < 7 ? "ACCEPTED" : "DECLINED")"}"#
                let id = "msg_hot_\(index)"
                let fields: HTTPFields = [
                    .contentType: "application/json", .webhookID: id, .webhookTimestamp: String(timestamp),
                    .webhookSignature: signer.signature(id: id, timestamp: timestamp, body: Data(body.utf8)),
                ]
                requests.append(PreparedRequest(head: Self.head(.post, Flows.receiverPath, fields), body: ByteBuffer(string: body)))
            }
        case .poll200, .poll304, .submission:
            let desk = try MockHelpDesk(secret: secret, clock: clock, logger: logger, wallClock: fixed)
            responder = desk.buildRouter().buildResponder()
            // A poll changes nothing, so polls go round a hundred documents: preparing them costs the same whatever
            // the capacity. Each submission needs its own idempotency key.
            let submissions = (0..<(path == .submission ? capacity : min(capacity, Self.polledDocuments))).map { index in
                PreparedRequest(
                    head: Self.head(.post, "/document", [.contentType: "application/json", .idempotencyKey: "hot-\(index)"]),
                    body: ByteBuffer(string: #"{"documentUrl":"https://example.com/\#(index).pdf"}"#)
                )
            }
            if path == .submission {
                requests = submissions
            } else {
                for submission in submissions {
                    let created = try await Self.respond(responder, submission, logger: logger)
                    let document = try HelpDeskJSON.decode(SubmitDocumentResponse.self, from: Data(buffer: created.body))
                    var fields: HTTPFields = [:]
                    if path == .poll304 {
                        let first = try await Self.respond(responder, PreparedRequest(head: Self.head(.get, "/document/\(document.documentId)", [:]), body: ByteBuffer()), logger: logger)
                        fields[.ifNoneMatch] = first.headers[.eTag]
                    }
                    requests.append(PreparedRequest(head: Self.head(.get, "/document/\(document.documentId)", fields), body: ByteBuffer()))
                }
            }
        case .feedPage:
            // Reviews decided a millisecond after submission, by the Help Desk's own scheduler on a clock of their
            // own, moved once every document is in: all of them fall due at one instant and are decided in one
            // step, however the threads ran (on the wall clock, how many the scheduler found due at each wake, and
            // so the preparation's work, would differ from run to run). The scheduler is stopped once every decision
            // is in the feed. Reading a page changes nothing, so the reads go round the pages there are.
            var configuration = HelpDeskConfiguration()
            configuration.reviewDelay = .uniform(.milliseconds(1) ... .milliseconds(1))
            let reviewClock = ManualClock()
            let desk = try MockHelpDesk(
                configuration: configuration, secret: secret, clock: SimulationClock(base: reviewClock), logger: logger, wallClock: fixed
            )
            let deskResponder = desk.buildRouter().buildResponder()
            responder = deskResponder
            let pageCount = min(capacity, Self.feedPages)
            let services = ServiceGroup(configuration: .init(services: desk.services.map { .init(service: $0) }, logger: logger))
            // Told once, when the last decision is made: one wait, however the decisions and the waiter interleave.
            let total = pageCount * Self.eventsPerPage
            let (allDecided, lastDecision) = AsyncStream.makeStream(of: Void.self)
            let decided = Atomic<Int>(0)
            desk.onDecision { _ in
                if decided.add(1, ordering: .relaxed).newValue == total { lastDecision.finish() }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await services.run() }
                for index in 0..<total {
                    let submission = PreparedRequest(
                        head: Self.head(.post, "/document", [.contentType: "application/json"]),
                        body: ByteBuffer(string: #"{"documentUrl":"https://example.com/\#(index).pdf"}"#)
                    )
                    _ = try await Self.respond(deskResponder, submission, logger: logger)
                }
                reviewClock.advance(by: .seconds(1))
                for await _ in allDecided {}
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
            }
            for page in 0..<pageCount {
                let after = page == 0 ? "" : "after=evt_\(page * Self.eventsPerPage)&"
                requests.append(PreparedRequest(head: Self.head(.get, "/events?\(after)limit=\(Self.eventsPerPage)", [:]), body: ByteBuffer()))
            }
        case .eventPage, .sseEvent:
            responder = Router<BasicRequestContext>().buildResponder()
            for page in 0..<capacity {
                let count = path == .eventPage ? Self.eventsPerPage : 1
                let events = (0..<count).map { offset in
                    let index = page * count + offset
                    return DocumentEvent(
                        id: String(format: "evt_%08d", index + 1), documentId: PendingRows.documentId(index), agentId: "agent_1",
                        documentStatus: index % 10 < 7 ? .accepted : .declined, version: 2, occurredAt: Self.now
                    )
                }
                if path == .eventPage {
                    pages.append(try HelpDeskJSON.encode(EventPage(events: events, nextCursor: events[events.count - 1].id)))
                } else {
                    let event = ServerSentEvent(type: ServerSentEvent.decisionType, data: String(decoding: try HelpDeskJSON.encode(events[0]), as: UTF8.self), lastEventId: events[0].id)
                    streamEvents.append(ByteBuffer(string: event.encoded))
                }
            }
        }
        self.app = app
        self.requests = requests
        self.pages = pages
        self.streamEvents = streamEvents
    }

    /// Runs operation `index` (each at most once), and checks that it did what the path says.
    public func run(_ index: Int) async throws {
        switch path {
        case .receiver, .poll200, .poll304, .submission, .feedPage:
            let response = try await Self.respond(responder, requests[index % requests.count], logger: logger)
            let expected: HTTPResponse.Status = switch path {
            case .poll304: .notModified
            case .submission: .created
            default: .ok
            }
            guard response.status == expected else {
                throw BenchError("hot path \(path.rawValue): operation \(index) answered \(response.status.code), not \(expected.code)")
            }
        case .eventPage:
            let page = try HelpDeskJSON.decode(EventPage.self, from: pages[index])
            let outcomes = try await store.apply(events: page.events, advancingCursor: "events", to: page.nextCursor)
            try Self.expectApplied(outcomes, path: path, index: index)
        case .sseEvent:
            var parser = EventStreamParser()
            for event in try parser.feed(streamEvents[index].readableBytesView) where event.type == ServerSentEvent.decisionType {
                let decision = try HelpDeskJSON.decode(DocumentEvent.self, from: Data(event.data.utf8))
                let outcomes = try await store.apply(events: [decision], advancingCursor: "stream", to: event.lastEventId ?? "")
                try Self.expectApplied(outcomes, path: path, index: index)
            }
        }
    }

    /// Shuts our app's Help Desk client down, closes the database and removes it.
    public func close() async {
        try? await app?.client.shutdown()
        // Closed here, not whenever the last reference goes: closing the last connection checkpoints the log, work
        // that would otherwise be counted or not depending on whether it finished before the process exited.
        try? store.pool.close()
        try? FileManager.default.removeItem(at: folder)
    }

    private static func expectApplied(_ outcomes: [VerdictOutcome], path: HotPath, index: Int) throws {
        for outcome in outcomes {
            guard case .applied = outcome else { throw BenchError("hot path \(path.rawValue): operation \(index) was not applied: \(outcome)") }
        }
    }

    private static func head(_ method: HTTPRequest.Method, _ path: String, _ fields: HTTPFields) -> HTTPRequest {
        HTTPRequest(method: method, scheme: "http", authority: "localhost", path: path, headerFields: fields)
    }

    private struct Answer {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: ByteBuffer
    }

    /// Runs a request through the router as the server would, the response's body written out.
    private static func respond(_ responder: any HTTPResponder<BasicRequestContext>, _ prepared: PreparedRequest, logger: Logger) async throws -> Answer {
        let request = Request(head: prepared.head, body: RequestBody(buffer: prepared.body))
        let context = BasicRequestContext(source: ApplicationRequestContextSource(channel: EmbeddedChannel(), logger: logger))
        let response = try await responder.respond(to: request, context: context)
        let sink = BodySink()
        try await response.body.write(BodySink.Writer(sink: sink))
        return Answer(status: response.status, headers: response.headers, body: sink.collected.withLock { $0 })
    }
}

/// Keeps what a response's body writes.
private final class BodySink: Sendable {
    let collected = Mutex(ByteBuffer())

    struct Writer: ResponseBodyWriter {
        let sink: BodySink

        mutating func write(_ buffer: ByteBuffer) async throws {
            sink.collected.withLock { collected in
                var buffer = buffer
                collected.writeBuffer(&buffer)
            }
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
