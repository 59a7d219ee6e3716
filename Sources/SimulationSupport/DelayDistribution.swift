import Foundation

/// How long something takes, as a distribution over model time: the review delay of the Help Desk's simulated
/// humans, drawn by the Help Desk and integrated over by the strategies' models.
///
/// A shape (uniform, exponential, log-normal, or the observed delays of an empirical sample) optionally truncated to
/// `bounds`: a truncated shape is the shape conditioned on falling inside them, so no delay outside is ever drawn.
/// Every use goes through ``quantile(_:)``, the inverse of the distribution function: a draw is the quantile of a
/// uniform draw, and a model integrates over the quantiles of evenly spaced shares.
public struct DelayDistribution: Sendable, Hashable, CustomStringConvertible {
    public enum Shape: Sendable, Hashable {
        /// Even over the bounds, which it requires.
        case uniform
        /// Memoryless, with this mean (before truncation).
        case exponential(mean: Duration)
        /// `ln D` normal with mean `ln median` and standard deviation `sigma` (before truncation).
        case lognormal(median: Duration, sigma: Double)
        /// Each observed delay equally likely, seconds, ascending (those inside the bounds).
        case empirical(seconds: [Double], source: String)
    }

    public let shape: Shape
    /// The delays that can be drawn; `nil` for a shape left unbounded.
    public let bounds: ClosedRange<Duration>?

    /// Even over `range`: the reference tutorial's 2-5 s review.
    public static func uniform(_ range: ClosedRange<Duration>) -> DelayDistribution {
        DelayDistribution(checked: .uniform, bounds: range)
    }

    /// A distribution of the given shape, truncated to `bounds` when given.
    /// - Throws: When a parameter is out of its domain, or no delay of the shape falls inside the bounds; the
    ///   message names the parameter.
    public init(_ shape: Shape, bounds: ClosedRange<Duration>? = nil) throws(DelayDistributionError) {
        if let bounds, bounds.lowerBound < .zero { throw DelayDistributionError("the review delay's range must not start below 0s") }
        switch shape {
        case .uniform:
            guard bounds != nil else { throw DelayDistributionError("uniform needs a range of delays, such as 2s...5s") }
        case .exponential(let mean):
            guard mean > .zero else { throw DelayDistributionError("exponential: the mean must be a positive duration, not \(mean.compactDescription)") }
        case .lognormal(let median, let sigma):
            guard median > .zero else { throw DelayDistributionError("lognormal: the median must be a positive duration, not \(median.compactDescription)") }
            guard sigma > 0, sigma <= 10, sigma.isFinite else {
                throw DelayDistributionError("lognormal: sigma must be a number above 0 and at most 10, not \(sigma)")
            }
        case .empirical(let seconds, let source):
            let kept = bounds.map { range in seconds.filter { range.contains(.seconds($0)) } } ?? seconds
            guard !kept.isEmpty else {
                throw DelayDistributionError("\(source): no observed delay lies in \(bounds.map(Self.rangeText) ?? "the range")")
            }
            self.init(checked: .empirical(seconds: kept.sorted(), source: source), bounds: bounds)
            return
        }
        self.init(checked: shape, bounds: bounds)
        if let bounds, shape != .uniform, cumulative(bounds.upperBound.secondsValue) - cumulative(bounds.lowerBound.secondsValue) <= 1e-12 {
            throw DelayDistributionError("\(self.shapeText): almost no delay falls inside \(Self.rangeText(bounds)); widen the range or move the distribution")
        }
    }

    private init(checked shape: Shape, bounds: ClosedRange<Duration>?) {
        self.shape = shape
        self.bounds = bounds
    }

    /// The delay below which a share `p` (0 ≤ p < 1) of the delays lie, seconds.
    ///
    /// A uniform draw `u` gives the draw `quantile(u)`: for the uniform shape that is `low + (high − low) · u`.
    public func quantile(_ p: Double) -> Double {
        let lowSeconds = bounds?.lowerBound.secondsValue ?? 0
        switch shape {
        case .uniform:
            let high = bounds?.upperBound.secondsValue ?? lowSeconds
            return lowSeconds + (high - lowSeconds) * p
        case .exponential(let mean):
            // Through the survival function, exact in the far tail: S(x) = exp(−x / mean).
            let m = mean.secondsValue
            let lowSurvival = exp(-lowSeconds / m)
            let highSurvival = bounds.map { exp(-$0.upperBound.secondsValue / m) } ?? 0
            let survival = lowSurvival - p * (lowSurvival - highSurvival)
            return clamp(-m * log(max(survival, .leastNormalMagnitude)))
        case .lognormal(let median, let sigma):
            let mu = log(median.secondsValue)
            let low = cumulative(lowSeconds)
            let high = bounds.map { cumulative($0.upperBound.secondsValue) } ?? 1
            let share = min(max(low + p * (high - low), 1e-300), 1 - 1e-16)
            return clamp(exp(mu + sigma * NormalDistribution.quantile(share)))
        case .empirical(let seconds, _):
            return seconds[min(seconds.count - 1, max(0, Int(p * Double(seconds.count))))]
        }
    }

    /// A draw from a uniform draw `unit` in [0, 1).
    public func draw(_ unit: Double) -> Duration {
        .seconds(quantile(unit))
    }

    /// The share of delays at or below `seconds`, before truncation (truncation rescales it between the bounds).
    func cumulative(_ seconds: Double) -> Double {
        switch shape {
        case .uniform:
            guard let bounds else { return 0 }
            let (low, high) = (bounds.lowerBound.secondsValue, bounds.upperBound.secondsValue)
            return high > low ? min(max((seconds - low) / (high - low), 0), 1) : (seconds >= low ? 1 : 0)
        case .exponential(let mean):
            return seconds <= 0 ? 0 : 1 - exp(-seconds / mean.secondsValue)
        case .lognormal(let median, let sigma):
            return seconds <= 0 ? 0 : NormalDistribution.cumulative((log(seconds) - log(median.secondsValue)) / sigma)
        case .empirical(let values, _):
            return Double(values.filter { $0 <= seconds }.count) / Double(values.count)
        }
    }

    /// Keeps a computed quantile inside the bounds against rounding.
    private func clamp(_ seconds: Double) -> Double {
        guard let bounds else { return max(seconds, 0) }
        return min(max(seconds, bounds.lowerBound.secondsValue), bounds.upperBound.secondsValue)
    }

    /// The shortest delay that can be drawn.
    public var lowerBound: Duration { .seconds(quantile(0)) }

    /// The longest delay that can be drawn, or `nil` when the shape is unbounded.
    public var upperBound: Duration? {
        switch shape {
        case .empirical(let seconds, _): .seconds(seconds.last ?? 0)
        default: bounds?.upperBound
        }
    }

    /// Whether every draw is the same delay.
    public var isConstant: Bool { quantile(0) == quantile(0.999_999) }

    /// The shape as its option writes it: `uniform`, `exponential:30m`, `lognormal:20m,1.2`, `empirical:FILE`.
    public var shapeText: String {
        switch shape {
        case .uniform: "uniform"
        case .exponential(let mean): "exponential:\(mean.compactDescription)"
        case .lognormal(let median, let sigma): "lognormal:\(median.compactDescription),\(sigma)"
        case .empirical(_, let source): "empirical:\(source)"
        }
    }

    /// `2s...5s` for a uniform distribution (as the range option reads it); otherwise the shape, with its range when
    /// truncated: `exponential:1h within 5m...4h`.
    public var description: String {
        if case .uniform = shape, let bounds { return Self.rangeText(bounds) }
        return shapeText + (bounds.map { " within " + Self.rangeText($0) } ?? "")
    }

    static func rangeText(_ range: ClosedRange<Duration>) -> String {
        "\(range.lowerBound.compactDescription)...\(range.upperBound.compactDescription)"
    }
}

/// A review-delay distribution that cannot be built, with which parameter is wrong and why.
public struct DelayDistributionError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
