import Flows
import Foundation
import SimulationSupport

/// Named workloads of `Bench run --profile`.
public enum Profile: String, Sendable, CaseIterable {
    /// The regression gate's: every strategy on 200 documents at 25 per model second, then the fault scenarios (60
    /// documents each), both in virtual time, so every behaviour figure is the same in every run of the seed; the
    /// short receiver load test and the 100k-row DB cell on the wall clock. About 30 seconds.
    case ci
    /// The suite's real-scale cell (``ScenarioSpec/realScale``) and nothing else: what the suite runs each of its
    /// strategies in a process of its own with.
    case realScale = "real-scale"

    public var scenario: ScenarioSpec {
        switch self {
        case .ci:
            var scenario = ScenarioSpec()
            scenario.name = "ci"
            scenario.documents = 200
            scenario.arrivalRate = 50
            scenario.timeScale = 0.5
            return scenario
        case .realScale:
            return .realScale
        }
    }

    /// The clock the profile runs on unless told otherwise.
    public var clock: RunClock { .virtual }

    /// Whether the profile runs the fault scenarios after its comparison.
    public var includesFaults: Bool { self == .ci }

    /// The short receiver load test the profile runs, if any.
    public var receiver: ReceiverBenchmark? { self == .ci ? .short : nil }

    /// The DB cost cells the profile measures, if any.
    public var dbCost: DBCostSweep? {
        guard self == .ci else { return nil }
        var sweep = DBCostSweep()
        sweep.rows = [100_000]
        return sweep
    }
}

extension ScenarioSpec {
    /// The suite's real-scale cell, in virtual time: 2,000 documents at 20,000 a day, reviews of 5 minutes to 4 hours
    /// (log-normal, median 40 minutes, sigma 0.8), over a network of 25 ms each way, with the strategies a team would
    /// weigh at that scale: fixed polling every minute, backoff from a minute (capped at 16), a 5-minute long-poll,
    /// webhooks and the hybrid.
    public static var realScale: ScenarioSpec {
        var scenario = ScenarioSpec()
        scenario.name = "real-scale"
        scenario.clock = .virtual
        scenario.documents = 2_000
        scenario.arrivalRate = 20_000.0 / 86_400
        // Valid by construction: a positive median and sigma, and most of the distribution inside the bounds.
        scenario.reviewDelay = try! DelayDistribution(.lognormal(median: .seconds(40 * 60), sigma: 0.8), bounds: .seconds(5 * 60) ... .seconds(4 * 3600))
        scenario.network = .fixed(.milliseconds(25))
        scenario.strategies = [
            .pollFixed(interval: .seconds(60)), .pollBackoff(initial: .seconds(60), factor: 2, cap: .seconds(16 * 60)),
            .longPoll(wait: .seconds(300)), .webhook, .hybrid(sweep: .seconds(60), staleAfter: .seconds(120)),
        ]
        return scenario
    }
}
