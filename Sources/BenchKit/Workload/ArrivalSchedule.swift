import SimulationSupport

/// When each document of a run is submitted: a Poisson process, so the gaps are exponential with mean 1 / rate.
///
/// Arrivals are *open-loop*: each document goes in at its planned instant whether or not earlier ones have
/// finished, so a slow server cannot slow the arrivals down and hide its own latency.
public struct ArrivalSchedule: Sendable, Hashable {
    /// Offsets from the start of the run, ascending: model time on a virtual clock, wall time on the wall clock.
    public let offsets: [Duration]

    /// - Parameters:
    ///   - documents: How many arrivals.
    ///   - ratePerSecond: Mean arrivals per second.
    ///   - seed: Fixes every gap.
    public init(documents: Int, ratePerSecond: Double, seed: UInt64) {
        precondition(ratePerSecond > 0, "the arrival rate must be positive")
        var random = SeededGenerator(seed: seed ^ 0xA55A_5AA5_0F0F_F0F0)
        var elapsed = 0.0
        var offsets: [Duration] = []
        offsets.reserveCapacity(documents)
        for _ in 0..<documents {
            // Inverse transform: -ln(1 - u) / rate is exponential with that rate.
            elapsed += -Self.log(1 - random.nextUnit()) / ratePerSecond
            offsets.append(.seconds(elapsed))
        }
        self.offsets = offsets
    }

    /// Arrivals at these offsets, sorted.
    public init(offsets: [Duration]) {
        self.offsets = offsets.sorted()
    }

    /// Every arrival within `window` of the start.
    /// - Parameters:
    ///   - ratePerSecond: Mean arrivals per second.
    ///   - window: How long arrivals go on.
    ///   - seed: Fixes every gap; the first arrivals are those of ``init(documents:ratePerSecond:seed:)``.
    public init(ratePerSecond: Double, within window: Duration, seed: UInt64) {
        let expected = ratePerSecond * window.secondsValue
        var schedule = ArrivalSchedule(documents: Int(expected + 6 * expected.squareRoot() + 10), ratePerSecond: ratePerSecond, seed: seed)
        while schedule.span <= window {
            schedule = ArrivalSchedule(documents: schedule.offsets.count * 2, ratePerSecond: ratePerSecond, seed: seed)
        }
        offsets = Array(schedule.offsets.prefix { $0 <= window })
    }

    /// The time from the start to the last arrival.
    public var span: Duration { offsets.last ?? .zero }

    /// How many documents are planned to have arrived `elapsed` after the start (binary search of the offsets).
    public func arrivals(by elapsed: Duration) -> Int {
        var low = 0
        var high = offsets.count
        while low < high {
            let middle = (low + high) / 2
            if offsets[middle] <= elapsed { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Natural logarithm by series, so the schedule does not depend on the platform's libm.
    static func log(_ x: Double) -> Double {
        precondition(x > 0)
        // ln(x) = 2 atanh((x - 1) / (x + 1)), after scaling x into [0.5, 1] by powers of two.
        var value = x
        var exponent = 0.0
        while value > 1 { value /= 2; exponent += 1 }
        while value < 0.5 { value *= 2; exponent -= 1 }
        let y = (value - 1) / (value + 1)
        let y2 = y * y
        var term = y
        var sum = 0.0
        var n = 1.0
        while abs(term / n) > 1e-17 {
            sum += term / n
            term *= y2
            n += 2
        }
        return 2 * sum + exponent * 0.693_147_180_559_945_3
    }
}
