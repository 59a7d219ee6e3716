import Foundation

/// Where ticks go: "nice" values a reader can take in at a glance.
public enum Ticks {
    /// A step of 1, 2 or 5 × 10ᵏ that cuts `span` into five to ten intervals.
    public static func niceStep(for span: Double) -> Double {
        guard span > 0, span.isFinite else { return 1 }
        var magnitude = pow10(Int(log10(span).rounded(.down)))
        let relative = span / magnitude
        if relative < 2 {
            magnitude /= 5
        } else if relative < 5 {
            magnitude /= 2
        }
        return magnitude
    }

    /// Ticks at multiples of a nice step, inside `domain`.
    public static func linear(_ domain: ClosedRange<Double>) -> [Double] {
        let step = niceStep(for: domain.upperBound - domain.lowerBound)
        // Round each tick to the step's decimals, so 3 × 0.2 reads 0.6 rather than 0.6000000000000001.
        let decimals = pow10(max(0, Int((-log10(step)).rounded(.up)) + 1))
        let first = (domain.lowerBound / step).rounded(.up)
        var ticks: [Double] = []
        var index = 0.0
        while ticks.count < 100 {
            let value = ((first + index) * step * decimals).rounded() / decimals
            if value > domain.upperBound + step * 1e-9 { break }
            ticks.append(value == 0 ? 0 : value)
            index += 1
        }
        return ticks
    }

    /// Ticks at 1, 2 and 5 × 10ᵏ inside `domain`; only the powers of ten when it spans more than four decades.
    public static func log(_ domain: ClosedRange<Double>) -> [Double] {
        guard domain.lowerBound > 0 else { return [] }
        let decades = log10(domain.upperBound) - log10(domain.lowerBound)
        let multipliers: [Double] = decades > 4 ? [1] : [1, 2, 5]
        var ticks: [Double] = []
        var exponent = Int(log10(domain.lowerBound).rounded(.down))
        while ticks.count < 100 {
            let base = pow10(exponent)
            if base > domain.upperBound * (1 + 1e-9) { break }
            for multiplier in multipliers {
                let value = base * multiplier
                if value >= domain.lowerBound * (1 - 1e-9), value <= domain.upperBound * (1 + 1e-9) { ticks.append(value) }
            }
            exponent += 1
        }
        return ticks
    }

    /// The largest 1-2-5 step at or below `value` (positive).
    public static func logStep(below value: Double) -> Double {
        let base = pow10(Int(log10(value).rounded(.down)))
        return [5, 2, 1].map { base * $0 }.first { $0 <= value * (1 + 1e-12) } ?? base
    }

    /// The smallest 1-2-5 step at or above `value` (positive).
    public static func logStep(above value: Double) -> Double {
        let base = pow10(Int(log10(value).rounded(.down)))
        return [1, 2, 5, 10].map { base * $0 }.first { $0 >= value * (1 - 1e-12) } ?? base * 10
    }

    /// A tick label: no trailing zeros, thousands as k, millions as M.
    public static func label(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1_000_000 { return trimmed(value / 1_000_000) + "M" }
        if magnitude >= 1_000 { return trimmed(value / 1_000) + "k" }
        return trimmed(value)
    }

    private static func trimmed(_ value: Double) -> String {
        if value == value.rounded() { return String(Int(value)) }
        var text = String((value * 1000).rounded() / 1000)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
