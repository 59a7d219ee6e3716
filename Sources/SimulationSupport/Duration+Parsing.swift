extension Duration {
    /// Parses a duration written as a number and a unit: `250ms`, `1.5s`, `5m`, `2h`, `1d`; a bare number is seconds.
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

extension String {
    fileprivate func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
