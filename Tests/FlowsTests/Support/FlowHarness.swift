import Flows
import Foundation
import HelpDeskAPI
import Logging
import MockHelpDesk
import ServerSupport
import SimulationSupport
import TestSupport
import Testing

/// Our app and an in-process Help Desk, both on port 0, sharing one simulation clock on a manual clock, with a
/// SQLite store in a temporary folder. Reviews take exactly 3.5 s of model time unless a test configures otherwise.
struct FlowHarness: Sendable {
    let clock: ManualClock
    let simulation: SimulationClock
    let desk: MockHelpDesk
    let app: ReviewApp
    let store: SQLiteReviewStore
    let secret: WebhookSecret
    /// Our app's API.
    let api: TestHTTPClient
    /// The Help Desk's base URL.
    let deskURL: String
    /// Wall time that follows model time, shared by both sides so signatures stay within their tolerance.
    let wallClock: @Sendable () -> Date

    static let reviewDelay: Duration = .milliseconds(3500)

    static func run<Result: Sendable>(
        transport: HelpDeskTransportKind = .asyncHTTPClient,
        strategy: StrategySpec,
        indexMode: SQLiteReviewStore.IndexMode = .withIndex,
        configureDesk: (inout HelpDeskConfiguration) -> Void = { _ in },
        beforeAppStarts prepare: (_ store: SQLiteReviewStore, _ deskURL: String) async throws -> Void = { _, _ in },
        _ body: (FlowHarness) async throws -> Result
    ) async throws -> Result {
        let clock = ManualClock()
        let simulation = SimulationClock(base: clock)
        let epoch = Date()
        let wallClock: @Sendable () -> Date = { epoch.addingTimeInterval(simulation.now.offset.secondsValue) }
        var deskConfiguration = HelpDeskConfiguration()
        deskConfiguration.reviewDelay = .uniform(reviewDelay...reviewDelay)
        deskConfiguration.delivery.jitter = 0
        configureDesk(&deskConfiguration)
        let secret = WebhookSecret.generate()
        let desk = try MockHelpDesk(configuration: deskConfiguration, secret: secret, clock: simulation, logger: .quiet, wallClock: wallClock)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flows-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteReviewStore(path: directory.appendingPathComponent("reviews.sqlite").path, indexMode: indexMode, wallClock: wallClock)

        return try await withRunningApplication({ desk.makeApplication(port: 0, onServerRunning: $0) }) { deskPort in
            try await prepare(store, "http://127.0.0.1:\(deskPort)")
            var configuration = ReviewAppConfiguration(helpDeskURL: "http://127.0.0.1:\(deskPort)", strategy: strategy, webhookSecrets: [secret])
            configuration.transport = transport
            let app = ReviewApp(
                configuration: configuration,
                store: store,
                clock: simulation,
                logger: .quiet,
                wallClock: wallClock
            )
            return try await withRunningApplication({ app.makeApplication(port: 0, onServerRunning: $0) }) { appPort in
                try await TestHTTPClient.with(baseURL: "http://127.0.0.1:\(appPort)") { api in
                    try await body(
                        FlowHarness(
                            clock: clock,
                            simulation: simulation,
                            desk: desk,
                            app: app,
                            store: store,
                            secret: secret,
                            api: api,
                            deskURL: "http://127.0.0.1:\(deskPort)",
                            wallClock: wallClock
                        )
                    )
                }
            }
        }
    }

    static func at(_ seconds: Double) -> ManualClock.Instant {
        .init(offset: .seconds(seconds))
    }

    /// Submits a document through `POST /reviews` and expects 201.
    func submit(_ documentUrl: String = "https://example.com/contract.pdf") async throws -> Review {
        let response = try await api.sendJSON(.POST, "/reviews", ["documentUrl": documentUrl])
        try #require(response.status == 201, "\(response.text)")
        return try response.decode(Review.self)
    }

    /// Submits `count` documents, one every 0.2 s of model time from t = 0.
    func submitStaggered(_ count: Int) async throws {
        for index in 0..<count {
            clock.advance(to: Self.at(0.2 * Double(index)))
            _ = try await submit("https://example.com/\(index).pdf")
        }
    }

    /// Steps model time from event to event until every row is decided, or `limit` passes.
    @discardableResult
    func runUntilAllDecided(limit: Double = 100_000) async throws -> Bool {
        try await clock.run(simulation.activity, until: Self.at(limit)) {
            try await store.reviews(status: .pendingReview, limit: 1).isEmpty
        }
    }

    /// Every row matches the verdict the Help Desk decided for its document.
    func expectRowsMatchTheHelpDesk(count: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let rows = try await store.reviews(status: nil, limit: 10_000)
        #expect(rows.count == count, sourceLocation: sourceLocation)
        let decided = Dictionary(uniqueKeysWithValues: desk.decisions.map { ($0.documentId, $0.verdict) })
        for row in rows {
            #expect(row.documentStatus == decided[row.documentId], "\(row.documentId)", sourceLocation: sourceLocation)
        }
    }

    /// Signs `body` as the Help Desk would, now.
    func signedHeaders(_ body: Data, id: String = "msg_\(UUID().uuidString)", secret: WebhookSecret? = nil, at date: Date? = nil) -> [(String, String)] {
        let timestamp = Int64((date ?? wallClock()).timeIntervalSince1970)
        let headers = WebhookSigner(secret: secret ?? self.secret).headers(id: id, timestamp: timestamp, body: body)
        return [("Content-Type", "application/json")] + headers.fields.map { ($0.name, $0.value) }
    }
}
