/// An identifier such as `doc_0123456789abcdef`: a prefix and 16 lowercase hex digits, kept as the number (no string
/// of its own); an identifier of any other form is kept as it is.
enum HexIdentifier: Sendable, Hashable {
    case number(UInt64)
    case text(String)

    init(_ text: String, prefix: String) {
        self = Self.number(in: text, prefix: prefix).map(HexIdentifier.number) ?? .text(text)
    }

    /// The identifier as text.
    func text(prefix: String) -> String {
        switch self {
        case .number(let value): prefix + ReviewPlan.hex(value)
        case .text(let text): text
        }
    }

    /// The number in `<prefix><16 lowercase hex digits>`, or `nil` for any other form.
    static func number(in text: String, prefix: String) -> UInt64? {
        guard text.utf8.count == prefix.utf8.count + 16, text.hasPrefix(prefix) else { return nil }
        var value: UInt64 = 0
        for byte in text.utf8.dropFirst(prefix.utf8.count) {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }
}
