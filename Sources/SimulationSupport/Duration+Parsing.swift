/// A duration as a user wrote it that cannot be read, with what is wrong and how to write it.
public struct DurationTextError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

extension Duration {
    /// Reads a duration as a user writes it in an option: a number and a unit, `250ms`, `30s`, `5m`, `2h` or `1d`.
    ///
    /// A number without a unit is refused rather than taken as seconds: whether `30` meant seconds or minutes is what
    /// nobody reading the results could tell. Negative durations are refused too.
    /// - Throws: A message that quotes `text` and says how to write it.
    public init(userText text: some StringProtocol) throws(DurationTextError) {
        let trimmed = String(text).trimmingWhitespace()
        if let duration = Duration(parsing: trimmed) {
            guard trimmed.last?.isLetter == true else {
                throw DurationTextError("\"\(trimmed)\" has no unit: give one, such as \(trimmed)s or \(trimmed)m")
            }
            self = duration
            return
        }
        if trimmed.hasPrefix("-"), Duration(parsing: trimmed.dropFirst()) != nil {
            throw DurationTextError("\"\(trimmed)\" is negative: give a duration of zero or more, such as 30s")
        }
        if trimmed.isEmpty { throw DurationTextError("a duration is missing: give one such as 30s or 5m") }
        throw DurationTextError("\"\(trimmed)\" is not a duration: give a number and a unit (ms, s, m, h or d), such as 30s or 5m")
    }

    /// Parses a duration written as a number and a unit: `250ms`, `1.5s`, `5m`, `2h`, `1d`; a bare number is seconds
    /// (files whose column names its unit, such as `delay_s`). What a user types goes through ``init(userText:)``.
    ///
    /// - Returns: `nil` for anything else, including negative, infinite and NaN values.
    public init?(parsing text: some StringProtocol) {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        let trimmed = String(text).trimmingWhitespace()
        var number = Substring(trimmed)
        var scale = 1.0
        if let unit = units.first(where: { trimmed.hasSuffix($0.suffix) }) {
            number = number.dropLast(unit.suffix.count)
            scale = unit.seconds
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            let value = Double(number), value.isFinite
        else { return nil }
        self = .seconds(value * scale)
    }

    /// The duration written the way ``init(parsing:)`` reads it: milliseconds below a second, seconds below ten
    /// minutes (`90s`, `120s`), whole minutes or hours above.
    public var compactDescription: String {
        let seconds = secondsValue
        func trimmed(_ value: Double) -> String {
            value == value.rounded() ? String(Int(value)) : String(value)
        }
        if seconds != 0, abs(seconds) < 1 { return trimmed((seconds * 1000 * 1000).rounded() / 1000) + "ms" }
        if seconds >= 3600, seconds.truncatingRemainder(dividingBy: 3600) == 0 { return trimmed(seconds / 3600) + "h" }
        if seconds >= 600, seconds.truncatingRemainder(dividingBy: 60) == 0 { return trimmed(seconds / 60) + "m" }
        return trimmed(seconds) + "s"
    }
}

extension ClosedRange where Bound == Duration {
    /// Reads a range of durations as a user writes it: two durations with units, the shorter first, such as
    /// `10m...2h`.
    /// - Throws: A message that says which part is wrong: not a range, a duration without a unit, or reversed.
    public init(userText text: some StringProtocol) throws(DurationTextError) {
        let trimmed = String(text).trimmingWhitespace()
        let parts = trimmed.components(separatedBy: "...")
        guard parts.count == 2 else {
            throw DurationTextError("\"\(trimmed)\" is not a range: give two durations, the shorter first, such as 10m...2h")
        }
        let low = try Duration(userText: parts[0])
        let high = try Duration(userText: parts[1])
        guard low <= high else {
            throw DurationTextError("\"\(trimmed)\" is reversed: give the shorter duration first, \(high.compactDescription)...\(low.compactDescription)")
        }
        self = low...high
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
