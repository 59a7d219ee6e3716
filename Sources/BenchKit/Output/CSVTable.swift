/// A CSV table (RFC 4180): a header and rows of fields, quoted when they hold a comma, a quote or a line break.
public struct CSVTable: Sendable, Hashable {
    public var columns: [String]
    public var rows: [[String]] = []

    public init(columns: [String]) {
        self.columns = columns
    }

    public mutating func append(_ row: [String]) {
        precondition(row.count == columns.count, "a row must have one field per column")
        rows.append(row)
    }

    /// The table as text, lines ending in CRLF as RFC 4180 asks.
    public var text: String {
        ([columns] + rows).map { $0.map(Self.quote).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func quote(_ field: String) -> String {
        // `isNewline` also matches "\r\n", which Swift reads as one character.
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Formats a number with up to `digits` decimals, without trailing zeros; empty for NaN or infinity.
    public static func number(_ value: Double, digits: Int = 3) -> String {
        guard value.isFinite else { return "" }
        var text = String(format: "%.\(digits)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }
}

import Foundation
