import SimulationSupport
import Synchronization

/// The work of an open event stream on a virtual clock: the Help Desk credits every piece it writes to the stream's
/// unit, and the reader settles each piece once handled (when it asks for the next one), so the simulation stays busy
/// from a write until its reader is done with it. Closed when the reader stops reading, or when dropped.
final class StreamWork: Sendable {
    let unit: WorkUnit?
    /// Bytes handed to the reader and not yet settled.
    private let handedOut = Mutex(0)
    private let closed = Atomic<Bool>(false)

    init(_ unit: WorkUnit?) {
        self.unit = unit
    }

    /// A piece of `bytes` goes to the reader.
    func handOut(_ bytes: Int) {
        handedOut.withLock { $0 += bytes }
    }

    /// The reader has handled what it was handed.
    func settleHandedOut() {
        let bytes = handedOut.withLock { bytes in
            defer { bytes = 0 }
            return bytes
        }
        if bytes > 0 { unit?.settle(bytes) }
    }

    /// The stream ended cleanly: the Help Desk credits its end as one byte.
    func ended() {
        settleHandedOut()
        unit?.settle(1)
    }

    /// The reader is gone: nothing in transit will be handled.
    func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        unit?.close()
    }

    deinit { close() }
}
