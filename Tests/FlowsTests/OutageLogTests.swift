import Logging
import TestSupport
import Testing

@testable import Flows

/// An outage of our database is logged once when it starts and once when it ends, however many requests it turns
/// away.
struct OutageLogTests {
    @Test func anOutageIsOneWarningAndOneNoticeWithItsCounts() {
        let lines = LogRecorder.Lines()
        let logger = LogRecorder.logger(lines)
        let log = OutageLog()
        let error = StoreUnavailable("the database is unavailable")

        log.served(logger: logger)
        #expect(lines.all.isEmpty, "a request served with no outage open logs nothing")

        log.deferred(.webhook, error: error, logger: logger)
        for _ in 0..<40 { log.deferred(.webhook, error: error, logger: logger) }
        log.deferred(.submission, error: error, logger: logger)
        #expect(log.current?.webhooks == 41)
        #expect(log.current?.submissions == 1)
        log.served(logger: logger)
        log.served(logger: logger)

        let shown = lines.all.filter { $0.level >= .notice }
        #expect(shown.map(\.level) == [.warning, .notice], "\(shown)")
        #expect(shown.first?.message.contains("our database is unavailable") == true)
        #expect(shown.last?.metadata == ["webhooks.deferred": "41", "submissions.deferred": "1"])
        #expect(lines.all.filter { $0.level == .debug }.count == 41, "every other deferral is still there at debug level")
        #expect(log.current == nil)

        // The next outage is a new one, and says so.
        log.deferred(.submission, error: error, logger: logger)
        #expect(lines.all.filter { $0.level == .warning }.count == 2)
        #expect(log.current?.submissions == 1)
    }
}
