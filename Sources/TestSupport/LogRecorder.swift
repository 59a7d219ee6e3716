import Logging
import Synchronization

/// A log handler that keeps every line it is given, for tests that check what was logged and at which level.
public struct LogRecorder: LogHandler {
    /// One line as it was logged.
    public struct Line: Sendable, Equatable {
        public var level: Logger.Level
        public var message: String
        public var metadata: [String: String]
    }

    /// The lines, shared by every copy of the handler.
    public final class Lines: Sendable {
        private let lines = Mutex<[Line]>([])

        public init() {}

        public var all: [Line] { lines.withLock { $0 } }

        fileprivate func append(_ line: Line) {
            lines.withLock { $0.append(line) }
        }
    }

    private let lines: Lines
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]

    public init(_ lines: Lines, level: Logger.Level = .trace) {
        self.lines = lines
        self.logLevel = level
    }

    /// A logger whose lines go to `lines`.
    public static func logger(_ lines: Lines, level: Logger.Level = .trace) -> Logger {
        Logger(label: "recorded") { _ in LogRecorder(lines, level: level) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        lines.append(Line(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
    }
}
