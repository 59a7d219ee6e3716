import Foundation

/// A chart scale that cannot be built from its data, with what is wrong: a picture with a broken axis is worse than
/// none.
public struct ScaleError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Maps a domain of data values onto a range of positions (pixels), linearly or logarithmically.
public struct Scale: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case linear
        case log
    }

    public let kind: Kind
    /// The data values at the two ends, low first; "nice" values when built from data.
    public let domain: ClosedRange<Double>
    /// The positions the ends of the domain map to (the second may be smaller, as on a y axis).
    public let range: (start: Double, end: Double)

    public static func == (lhs: Scale, rhs: Scale) -> Bool {
        lhs.kind == rhs.kind && lhs.domain == rhs.domain && lhs.range == rhs.range
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(domain)
        hasher.combine(range.start)
        hasher.combine(range.end)
    }

    /// A linear scale over `domain`.
    public static func linear(_ domain: ClosedRange<Double>, range: (Double, Double)) -> Scale {
        Scale(kind: .linear, domain: domain, range: range)
    }

    /// A log scale over `domain`, which must hold only positive values.
    public static func log(_ domain: ClosedRange<Double>, range: (Double, Double), axis: String = "axis") throws(ScaleError) -> Scale {
        guard domain.lowerBound > 0, domain.lowerBound.isFinite, domain.upperBound.isFinite else {
            throw ScaleError("\(axis): a log scale needs positive values, not \(domain.lowerBound)")
        }
        return Scale(kind: .log, domain: domain, range: range)
    }

    /// A scale covering `values` with room to spare: the linear domain widened to nice ticks (and to 0 when
    /// `includingZero`), a step further where a value would sit on its edge, the log domain to whole 1-2-5 steps.
    /// One value or equal values get a domain around them.
    public static func fitting(
        _ values: [Double],
        kind: Kind,
        range: (Double, Double),
        includingZero: Bool = false,
        axis: String = "axis"
    ) throws(ScaleError) -> Scale {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { throw ScaleError("\(axis): no values to draw") }
        switch kind {
        case .linear:
            var lower = includingZero ? min(0, low) : low
            var upper = includingZero ? max(0, high) : high
            if lower == upper {
                let pad = lower == 0 ? 1 : abs(lower) * 0.1
                lower -= pad
                upper += pad
            }
            let step = Ticks.niceStep(for: upper - lower)
            var start = (lower / step).rounded(.down) * step
            var end = (upper / step).rounded(.up) * step
            // A mark that would sit on the domain's edge is half cut off by the plot's frame: leave it a step of
            // room, except on a zero the domain was asked to include.
            if start == low, !(includingZero && low == 0) { start -= step }
            if end == high, !(includingZero && high == 0) { end += step }
            return .linear(start...end, range: range)
        case .log:
            guard low > 0 else { throw ScaleError("\(axis): a log scale needs positive values, not \(low)") }
            var lower = Ticks.logStep(below: low)
            var upper = Ticks.logStep(above: high)
            if lower == upper {
                lower = Ticks.logStep(below: lower * 0.99)
                upper = Ticks.logStep(above: upper * 1.01)
            }
            return try .log(lower...upper, range: range, axis: axis)
        }
    }

    /// The position of `value`.
    public func position(_ value: Double) -> Double {
        let fraction: Double
        switch kind {
        case .linear:
            let width = domain.upperBound - domain.lowerBound
            fraction = width == 0 ? 0.5 : (value - domain.lowerBound) / width
        case .log:
            let low = log10(domain.lowerBound)
            let width = log10(domain.upperBound) - low
            fraction = width == 0 ? 0.5 : (log10(max(value, .leastNonzeroMagnitude)) - low) / width
        }
        return range.start + fraction * (range.end - range.start)
    }

    /// The tick values inside the domain.
    public var ticks: [Double] {
        switch kind {
        case .linear: Ticks.linear(domain)
        case .log: Ticks.log(domain)
        }
    }
}

/// 10ˣ for a whole x.
func pow10(_ exponent: Int) -> Double {
    Foundation.pow(10, Double(exponent))
}
