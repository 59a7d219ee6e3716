import HelpDeskAPI
import ServerSupport
import SimulationSupport
import Synchronization

/// The Help Desk's counters: requests by route and status, body bytes, deliveries and injected faults.
public final class HelpDeskCounters: Sendable {
    private struct RouteStatus: Hashable {
        var route: String
        var status: Int
    }

    private struct State {
        var requests: [RouteStatus: Int] = [:]
        var requestBytes = 0
        var responseBytes = 0
        var deliveries = HelpDeskStats.DeliveryCounts()
        var faults = HelpDeskStats.FaultCounts()
        var streams = HelpDeskStats.StreamCounts()
    }

    private let state = Mutex(State())
    /// The same counts for Prometheus (`GET /metrics`), read at each scrape, with what the counters do not keep.
    let metrics = ServerMetrics()
    /// Parked ``MockHelpDesk/waitForStats(where:)`` calls, woken by every change.
    let changes = ChangeWaiters<Int>()

    init() {}

    /// Wakes the stats waiters after a change the counters do not hold themselves (a new decision).
    func touch() {
        changes.notify(0)
    }

    func record(_ sample: TrafficSample) {
        state.withLock { state in
            state.requests[RouteStatus(route: sample.route, status: sample.status), default: 0] += 1
            state.requestBytes += sample.requestBytes
            state.responseBytes += sample.responseBytes
        }
        touch()
    }

    func updateDeliveries(_ update: (inout HelpDeskStats.DeliveryCounts) -> Void) {
        state.withLock { update(&$0.deliveries) }
        touch()
    }

    func updateFaults(_ update: (inout HelpDeskStats.FaultCounts) -> Void) {
        state.withLock { update(&$0.faults) }
        touch()
    }

    /// Counts a stream as open if fewer than `max` are: the check and the count in one step.
    func admitStream(max: Int) -> Bool {
        let admitted = state.withLock { state -> Bool in
            guard state.streams.open < max else {
                state.streams.refused += 1
                return false
            }
            state.streams.open += 1
            state.streams.opened += 1
            return true
        }
        touch()
        return admitted
    }

    func updateStreams(_ update: (inout HelpDeskStats.StreamCounts) -> Void) {
        state.withLock { update(&$0.streams) }
        touch()
    }

    func snapshot(documents: HelpDeskStats.DocumentCounts) -> HelpDeskStats {
        state.withLock { state in
            let requests = state.requests
                .map { HelpDeskStats.RouteCount(route: $0.key.route, status: $0.key.status, count: $0.value) }
                .sorted { ($0.route, $0.status) < ($1.route, $1.status) }
            return HelpDeskStats(
                requests: requests,
                requestBytes: state.requestBytes,
                responseBytes: state.responseBytes,
                documents: documents,
                deliveries: state.deliveries,
                faults: state.faults,
                streams: state.streams
            )
        }
    }
}
