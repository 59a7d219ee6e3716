import Foundation
import HelpDeskAPI

/// Strong entity tags of document states, and `If-None-Match` matching (RFC 9110 weak comparison).
enum EntityTag {
    static func of(_ state: DocumentState) -> String {
        "\"v\(state.version)\""
    }

    /// Whether an `If-None-Match` value names the current tag: `*`, or a list that holds it (a `W/` prefix is ignored).
    static func matches(_ ifNoneMatch: String, current: String) -> Bool {
        ifNoneMatch.split(separator: ",").contains { candidate in
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            return tag == current
        }
    }
}
