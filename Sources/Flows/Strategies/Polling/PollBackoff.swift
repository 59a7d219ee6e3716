import SimulationSupport

extension PollPolicy {
    /// `poll-backoff:INITIAL,FACTOR,CAP`: exponential backoff with full jitter.
    ///
    /// Before attempt n the poller waits a uniform draw in `[0, min(cap, initial × factorⁿ⁻¹)]`, seeded by the run's
    /// seed, the document and n, so a run is repeatable and concurrent pollers do not synchronise.
    static func backoff(initial: Duration, factor: Double, cap: Duration, seed: UInt64) -> PollPolicy {
        PollPolicy(delay: { attempt, documentId in
            let ceiling = min(cap, initial * pow(factor, Double(attempt - 1)))
            var random = SeededGenerator(seed: seed, stream: "poll-backoff/" + documentId, index: UInt64(attempt))
            return ceiling * random.nextUnit()
        })
    }

    /// `base` raised to `exponent`, without Foundation.
    private static func pow(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        for _ in 0..<max(Int(exponent), 0) { result *= base }
        return result
    }
}
