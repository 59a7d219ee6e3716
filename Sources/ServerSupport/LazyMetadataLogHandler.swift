import Logging

/// A log handler that hands its metadata to `Inner` only when a line is written.
///
/// Servers set metadata on every request (Hummingbird its `hb.request.id`), and swift-log's `StreamLogHandler`
/// formats its whole metadata into a string on every change, whether or not a line is ever written at the level in
/// force: under load that cost more than the signature check. Here a change is a dictionary write; `Inner` sees the
/// metadata, and formats it, once per line written.
public struct LazyMetadataLogHandler<Inner: LogHandler>: LogHandler {
    private var inner: Inner
    public var metadata: Logger.Metadata

    public init(_ inner: Inner) {
        self.inner = inner
        self.metadata = inner.metadata
    }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var inner = inner
        inner.metadata = metadata
        inner.log(event: event)
    }
}
