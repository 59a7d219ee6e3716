import Flows
import Foundation

/// Named workloads of `Bench run --profile`.
public enum Profile: String, Sendable, CaseIterable {
    /// The regression gate's: every strategy on 200 documents at 50 per second, time scale 0.5, the short receiver
    /// load test and the 100k-row DB cell; about two minutes. The time scale keeps the machine's milliseconds small
    /// against the strategies' intervals on either backend (a poll of the event feed costs 3-12 ms of wall time on
    /// PostgreSQL, a few round trips to another process on the same cores), so figures stay stable from one machine to
    /// another.
    case ci

    public var scenario: ScenarioSpec {
        var scenario = ScenarioSpec()
        scenario.name = "ci"
        scenario.documents = 200
        scenario.arrivalRate = 50
        scenario.timeScale = 0.5
        return scenario
    }

    /// The short receiver load test the profile runs.
    public var receiver: ReceiverBenchmark { .short }

    public var dbCost: DBCostSweep {
        var sweep = DBCostSweep()
        sweep.rows = [100_000]
        return sweep
    }
}
