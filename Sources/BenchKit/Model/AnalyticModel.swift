import Flows
import SimulationSupport

/// What theory expects of a strategy, beside what was measured.
public struct ModelExpectation: Sendable, Hashable {
    /// Mean notification latency, model milliseconds.
    public var latencyMeanMilliseconds: Double
    /// HTTP requests per document, the submission included.
    public var requestsPerDocument: Double
}

/// The analytic model of each strategy for a review delay D uniform on `[a, b]`.
///
/// | strategy | requests per document (submission included) | mean latency |
/// |---|---|---|
/// | webhook | 2 (submit, delivery) | 0 |
/// | webhook-thin | 3 (submit, delivery, fetch) | 0 |
/// | poll-fixed:I, poll-conditional:I | 1 + E[⌈D/I⌉] (≈ E[D]/I + 1.5) | E[⌈D/I⌉·I − D] (≈ I/2) |
/// | poll-backoff | 1 + E[n(D)], n the first poll at or after D | E[S(n) − D], S the poll times |
/// | long-poll:W | 1 + E[⌈D/W⌉] | 0 |
/// | poll-events:I | 1 + (window / I) / documents | I/2 |
/// | hybrid | 2 (no sweep reads while webhooks work) | 0 |
///
/// Expectations over D are taken numerically on a fine grid, so the formulas hold for any range, not only when D
/// spans many intervals; backoff averages its own seeded schedule over the same grid.
public enum AnalyticModel {
    /// Points of the grid the expectations over D are taken on.
    static let gridPoints = 20_000

    /// - Parameters:
    ///   - strategy: The strategy.
    ///   - reviewDelay: The range D is uniform on.
    ///   - documents: Documents in the run (for the event feed, whose cost is shared).
    ///   - window: Model time the run lasted (for the event feed).
    ///   - seed: The run's seed (for backoff's jitter).
    public static func expectation(
        for strategy: StrategySpec,
        reviewDelay: ClosedRange<Duration>,
        documents: Int,
        window: Duration,
        seed: UInt64
    ) -> ModelExpectation {
        let low = reviewDelay.lowerBound.secondsValue
        let high = reviewDelay.upperBound.secondsValue
        switch strategy {
        case .webhook, .hybrid:
            return ModelExpectation(latencyMeanMilliseconds: 0, requestsPerDocument: 2)
        case .webhookThin:
            return ModelExpectation(latencyMeanMilliseconds: 0, requestsPerDocument: 3)
        case .pollFixed(let interval), .pollConditional(let interval):
            let i = interval.secondsValue
            return ModelExpectation(
                latencyMeanMilliseconds: 1000 * average(low, high) { d in ceil(d / i) * i - d },
                requestsPerDocument: 1 + average(low, high) { d in ceil(d / i) }
            )
        case .longPoll(let wait):
            let w = wait.secondsValue
            return ModelExpectation(latencyMeanMilliseconds: 0, requestsPerDocument: 1 + average(low, high) { d in max(1, ceil(d / w)) })
        case .pollEvents(let interval):
            let reads = window.secondsValue / interval.secondsValue
            return ModelExpectation(
                latencyMeanMilliseconds: 1000 * interval.secondsValue / 2,
                requestsPerDocument: 1 + reads / Double(max(documents, 1))
            )
        case .pollBackoff(let initial, let factor, let cap):
            // The backoff's draws depend on the document; average over stand-in ids at every grid point.
            var latency = 0.0
            var requests = 0.0
            let samples = 2_000
            for sample in 0..<samples {
                let d = low + (high - low) * (Double(sample) + 0.5) / Double(samples)
                var random = SeededGenerator(seed: seed, stream: "backoff-model", index: UInt64(sample))
                var elapsed = 0.0
                var polls = 0
                while elapsed < d {
                    polls += 1
                    let ceiling = min(cap.secondsValue, initial.secondsValue * pow(factor, polls - 1))
                    elapsed += ceiling * random.nextUnit()
                }
                latency += elapsed - d
                requests += Double(polls)
            }
            return ModelExpectation(latencyMeanMilliseconds: 1000 * latency / Double(samples), requestsPerDocument: 1 + requests / Double(samples))
        }
    }

    /// The mean of `f(D)` for D uniform on `[low, high]` (midpoint rule).
    static func average(_ low: Double, _ high: Double, _ f: (Double) -> Double) -> Double {
        guard high > low else { return f(low) }
        var sum = 0.0
        for point in 0..<gridPoints {
            sum += f(low + (high - low) * (Double(point) + 0.5) / Double(gridPoints))
        }
        return sum / Double(gridPoints)
    }

    private static func ceil(_ x: Double) -> Double { x.rounded(.up) }

    private static func pow(_ base: Double, _ exponent: Int) -> Double {
        (0..<max(exponent, 0)).reduce(1.0) { product, _ in product * base }
    }
}
