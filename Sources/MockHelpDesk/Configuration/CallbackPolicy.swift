import Foundation
import ServerSupport

/// Which callback URLs the Help Desk will send webhooks to.
///
/// A callback must be an absolute `http` or `https` URL without credentials whose host is loopback
/// (`localhost`, `127.0.0.0/8`, `::1`) or named in ``allowedHosts``. Anything else is refused with 400, so the
/// simulator cannot be turned into a tool for reaching other machines.
public struct CallbackPolicy: Sendable, Equatable {
    /// Hosts allowed besides loopback, lower-cased.
    public var allowedHosts: Set<String>
    /// Longest URL accepted.
    public static let maxLength = 2048

    public init(allowedHosts: Set<String> = []) {
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
    }

    /// Checks a callback URL and returns it parsed, or the 400 error naming `X-Callback-Url`.
    public func validate(_ raw: String) throws(APIError) -> URL {
        let field = "X-Callback-Url"
        guard raw.count <= Self.maxLength else { throw .badRequest(field: field, "must be at most \(Self.maxLength) characters") }
        // Control characters, raw or percent-encoded (CR and LF above all), could split the request the dispatcher sends.
        let decoded = raw.removingPercentEncoding ?? raw
        guard !raw.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }),
            !decoded.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw .badRequest(field: field, "must not contain control characters")
        }
        guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme) else {
            throw .badRequest(field: field, "must be an absolute http or https URL")
        }
        guard let host = url.host(percentEncoded: false), !host.isEmpty else {
            throw .badRequest(field: field, "must name a host")
        }
        guard url.user(percentEncoded: false) == nil, url.password(percentEncoded: false) == nil else {
            throw .badRequest(field: field, "must not carry credentials")
        }
        guard url.fragment(percentEncoded: false) == nil else {
            throw .badRequest(field: field, "must not have a fragment")
        }
        let normalized = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard Self.isLoopback(normalized) || allowedHosts.contains(normalized) else {
            throw .badRequest(field: field, "host \(normalized) is not on the callback allow-list")
        }
        return url
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) else { return false }
        return octets[0] == "127"
    }
}
