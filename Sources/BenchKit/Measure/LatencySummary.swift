import Histogram

/// Percentiles of a set of durations, from an HdrHistogram at microsecond resolution (3 significant digits).
public struct LatencySummary: Sendable, Hashable {
    /// The percentiles kept and exported to `latency.csv` (with the maximum as 100): enough to draw the distribution.
    public static let percentiles: [Double] = [1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.9]

    public var count: Int
    /// Milliseconds at each of ``percentiles``, in order.
    public var percentileMilliseconds: [Double]
    public var maxMilliseconds: Double
    public var meanMilliseconds: Double

    /// Summarises durations; negative ones (a clock read out of order) count as zero.
    public init(_ durations: [Duration]) {
        self.init(histogram: Self.histogram(durations))
    }

    /// The histogram of microseconds ``init(_:)`` summarises.
    static func histogram(_ durations: [Duration]) -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        for duration in durations {
            let microseconds = max(0, (duration.components.seconds * 1_000_000) + duration.components.attoseconds / 1_000_000_000_000)
            _ = histogram.record(UInt64(microseconds))
        }
        return histogram
    }

    /// Summarises a histogram of microseconds.
    public init(histogram: Histogram<UInt64>) {
        count = Int(histogram.totalCount)
        guard count > 0 else {
            percentileMilliseconds = Self.percentiles.map { _ in 0 }
            maxMilliseconds = 0
            meanMilliseconds = 0
            return
        }
        percentileMilliseconds = Self.percentiles.map { Double(histogram.valueAtPercentile($0)) / 1000 }
        maxMilliseconds = Double(histogram.max) / 1000
        meanMilliseconds = histogram.mean / 1000
    }

    public func milliseconds(atPercentile percentile: Double) -> Double {
        guard let index = Self.percentiles.firstIndex(of: percentile) else { return .nan }
        return percentileMilliseconds[index]
    }
}
