import Foundation
import HelpDeskAPI
import Hummingbird
import ServerSupport
import ServiceLifecycle
import SimulationSupport
import Synchronization

/// A place among the Help Desk's open event streams, given back once when the stream ends, or when its response is
/// dropped without ever being written.
final class StreamSlot: Sendable {
    private let release: @Sendable () -> Void
    private let released = Atomic<Bool>(false)

    init(release: @escaping @Sendable () -> Void) {
        self.release = release
    }

    func close() {
        guard !released.exchange(true, ordering: .relaxed) else { return }
        release()
    }

    deinit { close() }
}

extension MockHelpDesk {
    /// Takes a place among the open streams, or answers 429 with `Retry-After` when every place is taken.
    /// - Parameter unit: The stream's work unit, which the place holds (joined) until it is given back.
    func openStream(workingFor unit: WorkUnit?) throws(APIError) -> StreamSlot {
        guard counters.admitStream(max: configuration.stream.maxStreams) else {
            throw .retryLater(.tooManyRequests, "too many event streams are open", afterSeconds: 1)
        }
        let counters = self.counters
        unit?.join()
        return StreamSlot {
            counters.updateStreams { $0.open -= 1 }
            unit?.end()
        }
    }

    /// Writes the decisions after `cursor` to `writer` as they are made, as server-sent events: a `retry:` hint
    /// first, then each decision as it comes, and a heartbeat comment after every idle heartbeat interval.
    ///
    /// It ends when the client goes away (a write fails), when the fault plan closes the stream, or when the
    /// server shuts down gracefully; the last two end the body cleanly, so the client sees the stream's end.
    ///
    /// With a modelled network delay, each event is written that long after its decision. On a virtual clock every
    /// write is credited to the stream's unit (``WorkUnit/credit(_:)``) before it leaves, and the end as one byte
    /// more, so the simulation stays busy until the reader has handled them.
    func streamEvents(after cursor: EventCursor, to writer: inout any ResponseBodyWriter) async throws {
        let stream = configuration.stream
        let closeAfter = configuration.faults.closeStreamsAfterEvents
        let registry = self.registry
        let clock = self.clock
        let encoder = HelpDeskJSON.makeEncoder()
        var sent = cursor.sequence
        var sentHere = 0
        try await write(ServerSentEvent.retry(milliseconds: Int(stream.retryHint.millisecondsValue.rounded())), to: &writer)
        while !Task.isShuttingDownGracefully {
            let batch = min(100, closeAfter.map { $0 - sentHere } ?? 100)
            var events = registry.events(after: sent, limit: batch)
            if !configuration.network.isNone, !events.isEmpty {
                // Only the events whose delay has passed leave now; the loop sleeps until the next one's.
                let arrivals = events.indices.map { registry.decidedAt(event: sent + $0 + 1).advanced(by: configuration.network.delay(for: "stream \(events[$0].id)")) }
                let now = clock.now
                let due = arrivals.prefix { $0 <= now }.count
                if due == 0 {
                    _ = await cancelWhenGracefulShutdown { try? await clock.sleep(until: arrivals[0]) }
                    continue
                }
                events = Array(events.prefix(due))
            }
            if !events.isEmpty {
                var text = ""
                for event in events { text += try Self.frame(event, encoder: encoder) }
                try await write(text, to: &writer, events: events.count)
                sent += events.count
                sentHere += events.count
                if let closeAfter, sentHere >= closeAfter { break }
                continue
            }
            let deadline = clock.now.advanced(by: stream.heartbeat)
            let after = sent
            let decided = await cancelWhenGracefulShutdown {
                await registry.feedChanges.wait(for: .decisions, until: deadline, on: clock) { registry.eventCount > after }
            }
            if Task.isShuttingDownGracefully { break }
            if !decided { try await write(ServerSentEvent.comment("heartbeat"), to: &writer, heartbeat: true) }
        }
        counters.updateStreams { $0.closedByServer += 1 }
        WorkUnit.current?.credit(1)
        try await writer.finish(nil)
    }

    private func write(_ text: String, to writer: inout any ResponseBodyWriter, events: Int = 0, heartbeat: Bool = false) async throws {
        let buffer = ByteBuffer(string: text)
        WorkUnit.current?.credit(buffer.readableBytes)
        try await writer.write(buffer)
        counters.updateStreams { counts in
            counts.bytesSent += buffer.readableBytes
            counts.eventsSent += events
            if heartbeat { counts.heartbeatsSent += 1 }
        }
    }
}

extension MockHelpDesk {
    /// The sizes of what a stream sends, in bytes, for models that price a stream's traffic: one decision event
    /// (the first of the feed, `nil` before any decision), one heartbeat, and the `retry:` hint each stream opens with.
    public func streamFrameSizes() -> (event: Int?, heartbeat: Int, opening: Int) {
        let heartbeat = ServerSentEvent.comment("heartbeat").utf8.count
        let opening = ServerSentEvent.retry(milliseconds: Int(configuration.stream.retryHint.millisecondsValue.rounded())).utf8.count
        guard let first = registry.events(after: 0, limit: 1).first, let frame = try? Self.frame(first, encoder: HelpDeskJSON.makeEncoder()) else {
            return (nil, heartbeat, opening)
        }
        return (frame.utf8.count, heartbeat, opening)
    }

    /// One decision as the stream sends it: its cursor as `id:`, ``ServerSentEvent/decisionType``, the event as JSON.
    static func frame(_ event: DocumentEvent, encoder: JSONEncoder) throws -> String {
        let data = String(decoding: try encoder.encode(event), as: UTF8.self)
        return ServerSentEvent(type: ServerSentEvent.decisionType, data: data, lastEventId: event.id).encoded
    }
}
