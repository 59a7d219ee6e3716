import Foundation
import HTTPTypes
import HelpDeskAPI
import Hummingbird
import ServerSupport
import SimulationSupport
import TestSupport
import Synchronization

/// A webhook receiver on port 0 that records every request and answers as the test scripts it.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        var index: Int
        var headers: HTTPFields
        var body: Data
        /// Model time when the request arrived.
        var receivedAt: ManualClock.Instant

        func header(_ name: String) -> String? {
            HTTPField.Name(name).flatMap { headers[$0] }
        }
    }

    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields = [:]
        /// Hold the request open until ``WebhookReceiver/releaseHeldRequests()``.
        var hold = false

        static let ok = Answer(status: .noContent)
        static func status(_ status: HTTPResponse.Status, retryAfter: String? = nil) -> Answer {
            Answer(status: status, headers: retryAfter.map { [.retryAfter: $0] } ?? [:])
        }
        static let held = Answer(status: .noContent, hold: true)
    }

    private struct State {
        var received: [Received] = []
        var released = false
    }

    private let state = Mutex(State())
    private let arrivals = ChangeWaiters<Int>()
    private let releases = ChangeWaiters<Int>()
    private let clock: ManualClock
    private let script: @Sendable (Int) -> Answer

    private init(clock: ManualClock, script: @escaping @Sendable (Int) -> Answer) {
        self.clock = clock
        self.script = script
    }

    /// Runs a receiver for as long as `body` runs, handing it the receiver and its callback URL.
    static func run<Result: Sendable>(
        clock: ManualClock,
        script: @escaping @Sendable (Int) -> Answer = { _ in .ok },
        _ body: (WebhookReceiver, String) async throws -> Result
    ) async throws -> Result {
        let receiver = WebhookReceiver(clock: clock, script: script)
        let router = Router()
        router.post("document/update") { request, _ in try await receiver.handle(request) }
        return try await withRunningApplication({ onRunning in
            Application(
                router: router,
                configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { await onRunning($0.localAddress?.port ?? 0) },
                logger: HelpDeskHarness.quietLogger()
            )
        }) { port in
            defer { receiver.releaseHeldRequests() }
            return try await body(receiver, "http://127.0.0.1:\(port)/document/update")
        }
    }

    private func handle(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        let index = state.withLock { state in
            let index = state.received.count
            state.received.append(Received(index: index, headers: request.headers, body: Data(buffer: body), receivedAt: clock.now))
            return index
        }
        arrivals.notify(0)
        let answer = script(index)
        if answer.hold {
            await releases.wait(for: 0) { self.state.withLock(\.released) }
        }
        return Response(status: answer.status, headers: answer.headers)
    }

    /// Every request so far.
    var received: [Received] { state.withLock(\.received) }

    /// Waits for the request numbered `index` (0-based) and returns it.
    func request(_ index: Int) async -> Received {
        while true {
            if let request = state.withLock({ $0.received.count > index ? $0.received[index] : nil }) { return request }
            await arrivals.wait(for: 0) { self.state.withLock { $0.received.count > index } }
        }
    }

    /// Lets every held request answer.
    func releaseHeldRequests() {
        state.withLock { $0.released = true }
        releases.notify(0)
    }
}
