import Foundation
import Histogram
import NIOCore
import NIOPosix
import SimulationSupport

/// What a closed-loop load run measured, as the load generator saw it.
public struct LoadReport: Codable, Sendable, Hashable {
    /// Answers received inside the measured window (after the warm-up).
    public var requests: Int
    /// Answers received during the warm-up, not measured.
    public var warmupRequests: Int
    /// Every answer of the run, warm-up and the requests in flight at the end included, and those of them that were 2xx.
    public var answered: Int
    public var successfulAnswers: Int
    /// Answers by status code, measured window only.
    public var statuses: [String: Int]
    /// Connections that failed or were closed by the server, and answers that could not be read.
    public var errors: Int
    /// Whether the run used up its pre-encoded requests before the end (only allowed when they may repeat).
    public var exhausted: Bool
    public var windowSeconds: Double
    /// Request latency, from writing a request to reading its whole answer, microseconds.
    public var latencyP50Microseconds: Double
    public var latencyP90Microseconds: Double
    public var latencyP99Microseconds: Double
    public var latencyMaxMicroseconds: Double
    public var latencyMeanMicroseconds: Double
    /// CPU time of the load generator's process over the run.
    public var cpuUserSeconds: Double
    public var cpuSystemSeconds: Double

    public var requestsPerSecond: Double { windowSeconds > 0 ? Double(requests) / windowSeconds : 0 }

    /// Answers in the measured window that were 2xx.
    public var successfulInWindow: Int {
        statuses.filter { Int($0.key).map { (200..<300).contains($0) } ?? false }.values.reduce(0, +)
    }
}

/// A closed-loop HTTP/1.1 load generator on SwiftNIO: `connections` keep-alive connections on one event loop, each
/// writing its next pre-encoded request as soon as the answer to the last one is read.
///
/// Requests are slices of one buffer (``PreEncodedRequests``) and answers are only scanned for their status and
/// length, so the generator spends its time in the kernel, not in building or parsing messages.
public enum LoadGenerator {
    /// The environment variable that hands the webhook secret to `Bench receiver-load` (never the command line).
    public static let secretVariable = "BENCH_RECEIVER_SECRET"

    /// - Parameters:
    ///   - requests: The requests to send, in order.
    ///   - mayRepeat: Whether requests may be sent again after the last one; if not, the run ends when they run out.
    public static func run(
        host: String,
        port: Int,
        requests: PreEncodedRequests,
        mayRepeat: Bool,
        connections: Int,
        warmup: Duration,
        duration: Duration
    ) async throws -> LoadReport {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let report = try await run(on: group.next(), requests: requests, mayRepeat: mayRepeat, connections: connections, host: host, port: port, warmup: warmup, duration: duration)
            try await group.shutdownGracefully()
            return report
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private static func run(
        on loop: any EventLoop,
        requests: PreEncodedRequests,
        mayRepeat: Bool,
        connections: Int,
        host: String,
        port: Int,
        warmup: Duration,
        duration: Duration
    ) async throws -> LoadReport {
        let cpuStart = CPUTime.now
        let state = LoadState(loop: loop, requests: requests, mayRepeat: mayRepeat, connections: connections)
        let bootstrap = ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(LoadConnectionHandler(state: state))
                }
            }
        var connected: [any Channel] = []
        for _ in 0..<connections {
            connected.append(try await bootstrap.connect(host: host, port: port).get())
        }
        let channels = connected
        let finished = loop.makePromise(of: Void.self)
        try await loop.submit {
            state.begin(warmup: warmup, duration: duration, finished: finished)
            for channel in channels { channel.pipeline.fireUserInboundEventTriggered(LoadConnectionHandler.Start()) }
        }.get()
        try await finished.futureResult.get()
        var report = try await loop.submit { state.report() }.get()
        let cpu = CPUTime.now - cpuStart
        report.cpuUserSeconds = cpu.user
        report.cpuSystemSeconds = cpu.system
        return report
    }
}

/// The counters of one load run. Touched only on its event loop.
private final class LoadState: @unchecked Sendable {
    let loop: any EventLoop
    let requests: PreEncodedRequests
    let mayRepeat: Bool
    private var open: Int
    private var next = 0
    private var warmupEnd = NIODeadline.distantFuture
    private var end = NIODeadline.distantFuture
    private var finished: EventLoopPromise<Void>?
    private var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
    private var measured = 0
    private var warmupAnswers = 0
    private var answered = 0
    private var successful = 0
    private var statuses: [Int: Int] = [:]
    private var errors = 0
    private var exhausted = false

    init(loop: any EventLoop, requests: PreEncodedRequests, mayRepeat: Bool, connections: Int) {
        self.loop = loop
        self.requests = requests
        self.mayRepeat = mayRepeat
        self.open = connections
    }

    func begin(warmup: Duration, duration: Duration, finished: EventLoopPromise<Void>) {
        let now = NIODeadline.now()
        warmupEnd = now + .nanoseconds(warmup.nanosecondsValue)
        end = warmupEnd + .nanoseconds(duration.nanosecondsValue)
        self.finished = finished
        if open == 0 { finished.succeed() }
    }

    /// The next request to write, or `nil` when the run is over for this connection.
    func nextRequest(now: NIODeadline) -> ByteBuffer? {
        loop.preconditionInEventLoop()
        guard now < end else { return nil }
        if next >= requests.count, !mayRepeat {
            exhausted = true
            return nil
        }
        defer { next += 1 }
        return requests.request(next)
    }

    func record(status: Int, sentAt: NIODeadline, now: NIODeadline) {
        answered += 1
        if (200..<300).contains(status) { successful += 1 }
        guard sentAt >= warmupEnd, now <= end else {
            if now < warmupEnd { warmupAnswers += 1 }
            return
        }
        measured += 1
        statuses[status, default: 0] += 1
        _ = histogram.record(UInt64(max(0, (now - sentAt).nanoseconds / 1000)))
    }

    func recordError() {
        errors += 1
    }

    func connectionClosed() {
        open -= 1
        if open == 0 { finished?.succeed() }
    }

    func report() -> LoadReport {
        let window = Double((end - warmupEnd).nanoseconds) / 1e9
        return LoadReport(
            requests: measured,
            warmupRequests: warmupAnswers,
            answered: answered,
            successfulAnswers: successful,
            statuses: Dictionary(uniqueKeysWithValues: statuses.map { (String($0.key), $0.value) }),
            errors: errors,
            exhausted: exhausted,
            windowSeconds: window,
            latencyP50Microseconds: Double(histogram.valueAtPercentile(50)),
            latencyP90Microseconds: Double(histogram.valueAtPercentile(90)),
            latencyP99Microseconds: Double(histogram.valueAtPercentile(99)),
            latencyMaxMicroseconds: Double(histogram.max),
            latencyMeanMicroseconds: histogram.mean,
            cpuUserSeconds: 0,
            cpuSystemSeconds: 0
        )
    }
}

/// One connection: writes a request, scans the answer, writes the next.
private final class LoadConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Fired on every connection once all are connected: the first request goes out.
    struct Start {}

    private let state: LoadState
    private var scanner = HTTPResponseScanner()
    private var sentAt = NIODeadline.uptimeNanoseconds(0)
    private var closing = false

    init(state: LoadState) {
        self.state = state
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is Start { send(context: context) } else { context.fireUserInboundEventTriggered(event) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        scanner.feed(&buffer)
        do {
            while let response = try scanner.next() {
                state.record(status: response.status, sentAt: sentAt, now: .now())
                send(context: context)
            }
        } catch {
            state.recordError()
            close(context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !closing { state.recordError() }
        state.connectionClosed()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        state.recordError()
        close(context: context)
    }

    private func send(context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        guard let request = state.nextRequest(now: now) else {
            close(context: context)
            return
        }
        sentAt = now
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
    }

    private func close(context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        context.close(promise: nil)
    }
}
