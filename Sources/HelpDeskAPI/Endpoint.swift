import Foundation

/// Whether the Help Desk sends webhooks to a callback URL.
public enum EndpointStatus: String, Codable, Sendable, CaseIterable, Hashable {
    /// Webhooks are sent.
    case enabled
    /// The circuit breaker tripped: attempts wait until `pausedUntil`, then resume on their own.
    case paused
    /// Nothing is sent until the endpoint is enabled again; its messages end `disabled` and can be replayed.
    case disabled
}

/// One change of an endpoint's status.
public struct EndpointEvent: Codable, Sendable, Hashable {
    /// Wall-clock time of the change.
    public var at: Date
    public var status: EndpointStatus
    /// Why: `gone` (the URL answered 410), `consecutive-failures`, `failing-for`, `circuit-breaker`,
    /// `pause-ended` or `enabled-on-request`.
    public var reason: String

    public init(at: Date, status: EndpointStatus, reason: String) {
        self.at = at
        self.status = status
        self.reason = reason
    }
}

/// A callback URL the Help Desk has sent webhooks to, and what its give-up rules made of it (`GET /endpoints`).
public struct Endpoint: Codable, Sendable, Hashable {
    public var url: String
    public var status: EndpointStatus
    /// Failed attempts since the last success.
    public var consecutiveFailures: Int
    /// Wall-clock time of the first of those failures, if any.
    public var failingSince: Date?
    /// While paused, when attempts resume.
    public var pausedUntil: Date?
    /// Every change of status, oldest first.
    public var events: [EndpointEvent]

    public init(url: String, status: EndpointStatus, consecutiveFailures: Int, failingSince: Date?, pausedUntil: Date?, events: [EndpointEvent]) {
        self.url = url
        self.status = status
        self.consecutiveFailures = consecutiveFailures
        self.failingSince = failingSince
        self.pausedUntil = pausedUntil
        self.events = events
    }
}

/// Body of `GET /endpoints`.
public struct EndpointList: Codable, Sendable, Hashable {
    public var endpoints: [Endpoint]

    public init(endpoints: [Endpoint]) {
        self.endpoints = endpoints
    }
}

/// Body of `POST /endpoints/enable`.
public struct EnableEndpointRequest: Codable, Sendable, Hashable, KnownFields {
    public var url: String

    public init(url: String) {
        self.url = url
    }

    public static var fieldNames: Set<String> { ["url"] }
}

/// Body of `POST /deliveries/replay`: send again every message that failed (dead-lettered) or met a disabled
/// endpoint, created at or after `since`, optionally only those for one callback URL.
public struct ReplayRequest: Codable, Sendable, Hashable, KnownFields {
    public var since: Date
    public var url: String?

    public init(since: Date, url: String? = nil) {
        self.since = since
        self.url = url
    }

    public static var fieldNames: Set<String> { ["since", "url"] }

    private enum CodingKeys: String, CodingKey {
        case since, url
    }

    /// Decodes `since` as an RFC 3339 date-time, a malformed one refused naming the field.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .since)
        guard let since = try? Date(text, strategy: .iso8601) else {
            throw DecodingError.dataCorruptedError(forKey: .since, in: container, debugDescription: "must be an RFC 3339 date-time such as 2026-12-06T10:00:00Z")
        }
        self.since = since
        url = try container.decodeIfPresent(String.self, forKey: .url)
    }
}

/// Answer of `POST /deliveries/replay`: the messages put back in line. A message already back in line or delivered
/// is not replayed again, so the same replay twice sends nothing twice.
public struct ReplayResult: Codable, Sendable, Hashable {
    public var replayed: Int
    /// Their delivery ids, oldest first.
    public var deliveries: [String]

    public init(replayed: Int, deliveries: [String]) {
        self.replayed = replayed
        self.deliveries = deliveries
    }
}
