/// A distribution of notification latency, model seconds, as equally weighted points: the quantiles of a closed form,
/// the midpoints of a numerical integration over the review delay, or the draws of a simulated schedule.
public struct LatencyModel: Sendable, Hashable {
    /// Ascending.
    public let points: [Double]

    /// - Parameter points: Equally weighted values, in any order; at least one.
    public init(points: [Double]) {
        precondition(!points.isEmpty, "a distribution needs at least one point")
        self.points = points.sorted()
    }

    /// Every latency zero: the verdict is applied the moment the Help Desk decides (the machine adds what it adds).
    public static let immediate = LatencyModel(points: [0])

    /// Uniform on `[0, width]`, as `count` quantile midpoints.
    public static func uniform(width: Double, count: Int = 4_000) -> LatencyModel {
        LatencyModel(points: (0..<count).map { width * (Double($0) + 0.5) / Double(count) })
    }

    /// `components` mixed with their weights (which need not sum to 1; they are normalised), as `count` points.
    public static func mixture(_ components: [(weight: Double, model: LatencyModel)], count: Int = 4_000) -> LatencyModel {
        let live = components.filter { $0.weight > 0 }
        let total = live.reduce(0) { $0 + $1.weight }
        guard total > 0 else { return .immediate }
        var points: [Double] = []
        for component in live {
            let share = Int((component.weight / total * Double(count)).rounded())
            for index in 0..<share {
                points.append(component.model.quantile((Double(index) + 0.5) / Double(share)))
            }
        }
        return LatencyModel(points: points.isEmpty ? [0] : points)
    }

    public var mean: Double { points.reduce(0, +) / Double(points.count) }

    /// Every latency `seconds` longer.
    public func shifted(by seconds: Double) -> LatencyModel {
        LatencyModel(points: points.map { $0 + seconds })
    }

    /// The value below which a share `p` (0...1) of the distribution lies.
    public func quantile(_ p: Double) -> Double {
        let index = min(points.count - 1, max(0, Int((p * Double(points.count)).rounded(.up)) - 1))
        return points[index]
    }

    /// The share of the distribution at or below `x`.
    public func cdf(_ x: Double) -> Double {
        share(below: x, including: true)
    }

    /// Whether every point is zero: no wait the model can describe, so no distance to the measured one either.
    public var isImmediate: Bool { points.last == 0 }

    /// Whether a share of the distribution sits at exactly zero (an immediate delivery mixed with waits). Measured
    /// latencies are never exactly zero (the machine adds its overhead), so a distance to such a model measures the
    /// machine, not the strategy.
    public var hasAtomAtZero: Bool { points.first == 0 }

    /// The Kolmogorov–Smirnov distance between `samples` (measured, model seconds) and this distribution: the
    /// largest gap between the two cumulative distribution functions, 0 (the same) to 1 (disjoint).
    ///
    /// Both are compared at a microsecond's resolution (the latency histograms'), so a latency the model puts at
    /// exactly 25 ms is not told apart from a measured one that floating point leaves a hair away.
    public func kolmogorovSmirnovDistance(to samples: [Double]) -> Double {
        guard !samples.isEmpty else { return 0 }
        let resolution = 1e-6
        let model = LatencyModel(points: points.map { ($0 / resolution).rounded() * resolution })
        return model.distance(to: samples.map { ($0 / resolution).rounded() * resolution })
    }

    private func distance(to samples: [Double]) -> Double {
        let measured = samples.sorted()
        let count = Double(measured.count)
        var distance = 0.0
        var index = 0
        // The gap can only peak at a value of either set: walk both, comparing the two CDFs just below and at each value.
        for value in Set(measured + points).sorted() {
            let below = Double(index) / count
            while index < measured.count, measured[index] <= value { index += 1 }
            let at = Double(index) / count
            let model = cdf(value)
            let modelBelow = share(below: value, including: false)
            distance = max(distance, abs(at - model), abs(below - modelBelow))
        }
        return distance
    }

    /// The share of the distribution below `x` (or at it, `including`), by binary search of the sorted points.
    private func share(below x: Double, including: Bool) -> Double {
        var low = 0
        var high = points.count
        while low < high {
            let middle = (low + high) / 2
            if points[middle] < x || (including && points[middle] == x) { low = middle + 1 } else { high = middle }
        }
        return Double(low) / Double(points.count)
    }
}
