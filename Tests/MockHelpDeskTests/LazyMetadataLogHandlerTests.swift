import Logging
import Synchronization
import Testing

@testable import ServerSupport

/// The metadata a server sets on every request reaches the inner handler only with a line written.
struct LazyMetadataLogHandlerTests {
    /// Records each metadata change it is given, and each line with the metadata it had then.
    struct Recording: LogHandler {
        final class Record: Sendable {
            let changes = Mutex(0)
            let lines = Mutex<[(String, Logger.Metadata)]>([])
        }

        let record: Record
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:] {
            didSet { record.changes.withLock { $0 += 1 } }
        }

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            record.lines.withLock { $0.append((event.message.description, self.metadata.merging(event.metadata ?? [:]) { $1 })) }
        }
    }

    @Test func metadataIsHandedOnOnlyWithALineWritten() {
        let record = Recording.Record()
        var logger = Logger(label: "test") { _ in LazyMetadataLogHandler(Recording(record: record)) }
        logger.logLevel = .warning
        for index in 0..<100 { logger[metadataKey: "hb.request.id"] = "\(index)" }
        logger.info("below the level")
        #expect(record.changes.withLock { $0 } == 0, "no change reached the inner handler")
        #expect(record.lines.withLock { $0.isEmpty })
        logger.warning("written", metadata: ["extra": "1"])
        let lines = record.lines.withLock { $0 }
        #expect(lines.count == 1)
        #expect(lines.first?.0 == "written")
        #expect(lines.first?.1 == ["hb.request.id": "99", "extra": "1"])
        #expect(logger[metadataKey: "hb.request.id"] == "99")
    }
}
