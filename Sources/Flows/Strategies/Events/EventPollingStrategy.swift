import HelpDeskAPI
import ServiceLifecycle
import SimulationSupport

/// `poll-events:I`: read the Help Desk's feed of decisions every `interval`, whatever the number of pending reviews.
///
/// One request per interval (more when a page is full) serves every document at once. The cursor is stored in the
/// database in the same transaction as the verdicts it covers, so a restart resumes exactly where it stopped.
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
        await PeriodicTask(clock: context.clock, period: interval).run {
            do {
                return try await reader.drain()
            } catch {
                context.logger.warning("event feed read failed", metadata: ["error": "\(error)"])
                return nil
            }
        }
    }
}
