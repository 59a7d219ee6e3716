/// A position in the event feed, written `evt_<n>`: the id of the n-th event, or `evt_0` before the first.
struct EventCursor: Sendable, Hashable, CustomStringConvertible {
    var sequence: Int

    static let start = EventCursor(sequence: 0)

    init(sequence: Int) {
        self.sequence = sequence
    }

    /// Parses `evt_<n>`; `nil` for anything else.
    init?(_ text: some StringProtocol) {
        let digits = text.dropFirst(4)
        guard text.hasPrefix("evt_"), !digits.isEmpty, digits.count <= 18,
            digits.allSatisfy({ $0.isASCII && $0.isNumber }), let sequence = Int(digits)
        else { return nil }
        self.sequence = sequence
    }

    var description: String { "evt_\(sequence)" }
}
