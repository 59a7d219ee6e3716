import Synchronization

/// What our app asked of the Help Desk: requests and body bytes by kind.
public struct HelpDeskTraffic: Sendable, Hashable {
    /// Why a request was made.
    public enum Kind: String, Sendable, CaseIterable, Hashable {
        /// `POST /document`.
        case submit
        /// `GET /document/{id}` by a poller.
        case status
        /// `GET /document/{id}` after a thin webhook.
        case thinFetch = "thin_fetch"
        /// `GET /events`.
        case events
        /// `GET /events/stream`: one per stream opened, however long it lasted.
        case stream
        /// `POST /endpoints/enable` and `POST /deliveries/replay`: bringing webhooks back after an outage.
        case recovery
    }

    public var requests: [Kind: Int] = [:]
    /// Request body bytes sent.
    public var bytesSent = 0
    /// Response body bytes received.
    public var bytesReceived = 0

    public init() {}

    public var totalRequests: Int { requests.values.reduce(0, +) }

    public static func - (lhs: Self, rhs: Self) -> Self {
        var difference = HelpDeskTraffic()
        for kind in Kind.allCases {
            difference.requests[kind] = (lhs.requests[kind] ?? 0) - (rhs.requests[kind] ?? 0)
        }
        difference.bytesSent = lhs.bytesSent - rhs.bytesSent
        difference.bytesReceived = lhs.bytesReceived - rhs.bytesReceived
        return difference
    }
}

/// A thread-safe ``HelpDeskTraffic`` tally.
final class TrafficMeter: Sendable {
    private let traffic = Mutex(HelpDeskTraffic())

    func record(_ kind: HelpDeskTraffic.Kind, sent: Int, received: Int) {
        traffic.withLock { traffic in
            traffic.requests[kind, default: 0] += 1
            traffic.bytesSent += sent
            traffic.bytesReceived += received
        }
    }

    /// Counts body bytes of a request already counted: an event stream's, as they arrive.
    func addReceived(_ bytes: Int) {
        traffic.withLock { $0.bytesReceived += bytes }
    }

    var snapshot: HelpDeskTraffic { traffic.withLock { $0 } }
}
