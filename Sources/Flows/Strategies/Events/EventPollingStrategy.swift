import HelpDeskAPI
import ServiceLifecycle
import SimulationSupport

/// `poll-events:I`: read the Help Desk's feed of decisions every `interval`, whatever the number of pending reviews.
///
/// One request per interval (more when a page is full) serves every document at once. The cursor is stored in the
/// database in the same transaction as the verdicts it covers, so a restart resumes exactly where it stopped.
///
/// Model: the reads tick at a phase that has nothing to do with the decisions, so the wait from a decision to the
/// next read is uniform on [0, I] (on a run's own documents, whose decisions and the ticks' phase are known, the wait
/// to the next tick itself). A tick reads pages until one is not full, so the run's window / I ticks and
/// one page per `pageSize` decisions are shared by all its documents. Over a network of one-way delay d, a read sees
/// what was decided before it reached the Help Desk and applies it when its answer is back: the wait is still
/// uniform on [0, I], plus d.
public struct PollEvents: IntervalStrategyDefinition {
    public static let name = "poll-events"
    public static let mechanisms: [VendorMechanism] = [.feed]
    public static let usage = "poll-events:INTERVAL"
    public static let summary = "GET /events every interval for all documents at once; the cursor is stored with the verdicts"
    public static let standard = PollEvents(interval: .seconds(1))

    public var interval: Duration

    public init(interval: Duration) {
        self.interval = interval
    }

    public func makeStrategy(context: StrategyContext) -> any Strategy {
        EventPollingStrategy(spec: StrategySpec(self), interval: interval, context: context)
    }

    public func model(_ workload: ModelWorkload) -> StrategyModel {
        let documents = Double(max(workload.documents, 1))
        let reads = workload.window.secondsValue / interval.secondsValue + documents / Double(EventFeedReader.pageSize)
        let empty = min(reads / documents, workload.emptyFeedReads(every: interval, rate: workload.decisionRate))
        // Every read that finds decisions applies them, with the cursor, in one write step.
        return StrategyModel(
            latency: workload.isOnDraws ? Self.onTicks(workload, interval: interval.secondsValue) : .uniform(width: interval.secondsValue),
            requestsPerDocument: 1 + reads / documents,
            wastedRequestsPerDocument: empty,
            writesPerDocument: StrategyModel.submissionWrites + reads / documents - empty
        ).delayed(by: workload.networkDelay)
    }
}

extension PollEvents {
    /// On the run's own documents the ticks' phase is known: every I from the start. A decision at t (a delay after the
    /// submission reached the Help Desk) is read by the first tick whose request reaches the Help Desk after it, and
    /// applied when the answer is back; the latency before the answer's way back, which ``model(_:)`` adds.
    static func onTicks(_ workload: ModelWorkload, interval: Double) -> LatencyModel {
        let network = workload.networkDelay
        let latencies = zip(workload.submissionInstants(), workload.delaysPerDocument()).map { submitted, review in
            let decided = submitted + network + review
            let tick = max(1, ((decided - network) / interval).rounded(.up)) * interval
            return tick + network - decided
        }
        return latencies.isEmpty ? .immediate : LatencyModel(points: latencies.sorted())
    }
}

extension StrategySpec {
    public static func pollEvents(interval: Duration) -> StrategySpec { StrategySpec(PollEvents(interval: interval)) }
}

/// The running side of `poll-events`.
struct EventPollingStrategy: Strategy {
    static let cursorName = "poll-events"

    let spec: StrategySpec
    let interval: Duration
    let context: StrategyContext

    var callbackStyle: CallbackPayloadStyle? { nil }

    func watch(_ review: Review) {}

    func run() async throws {
        let reader = EventFeedReader(cursorName: Self.cursorName, source: .eventFeed, context: context)
        let stored = try await context.ledger.store.eventCursor(named: Self.cursorName)
        context.logger.info("reading the event feed", metadata: ["after": "\(stored ?? "the start")"])
        await PeriodicTask(clock: context.clock, period: interval).run { [context, interval] in
            // With a shared database, one instance at a time reads the feed: the one holding its lease.
            guard await context.holdsFeed(Self.cursorName, for: interval * 3) else { return nil }
            do {
                return try await reader.drain()
            } catch {
                context.logger.warning("event feed read failed", metadata: ["error": "\(error)"])
                return nil
            }
        }
    }
}
