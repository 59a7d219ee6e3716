import Flows

/// Which figures the gate keeps and how each may move, for a run of the CI profile. The values come from a run
/// (`Bench check --update`); the kinds, tolerances, floors and bands are set here and may be edited in the file.
public enum BaselinePolicy {
    /// The figures of a run, with this policy's judgements and the run's values where the kind takes one.
    public static func figures(for run: RunFigures, strategies: [StrategySpec]) -> [Baseline.Figure] {
        var figures: [Baseline.Figure] = []
        // A figure the run does not have (a latency ratio whose model is zero) is not kept.
        func add(_ figure: Baseline.Figure) {
            guard run.values[figure.name] != nil else { return }
            figures.append(figure)
        }
        add(.init(name: "all/accepted", kind: .exact, value: run.values["all/accepted"],
                  comment: "The seed fixes every verdict: a change here means the simulation is no longer reproducible."))
        add(.init(name: "all/accepted_agrees", kind: .exact, value: 1,
                  comment: "Every strategy saw the same verdicts from the same seed."))
        for strategy in strategies {
            let name = strategy.description
            add(.init(name: "\(name)/completed_share", kind: .exact, value: 1,
                      comment: "With no faults every document must reach its row: anything less is a lost update."))
            add(.init(name: "\(name)/requests_per_doc", kind: .within, value: run.values["\(name)/requests_per_doc"], tolerance: 0.03,
                      better: .lower, comment: "How chatty the strategy is; fixed by its schedule and the seed, so ±3% absorbs timing noise."))
            if strategy.usesWebhooks {
                add(.init(name: "\(name)/webhook_attempts_per_doc", kind: .within, value: run.values["\(name)/webhook_attempts_per_doc"],
                          tolerance: 0.01, better: .lower, comment: "One delivery per document when the receiver is healthy: retries mean it failed."))
            } else {
                add(.init(name: "\(name)/latency_ratio", kind: .band, low: 0.85, high: 1.15,
                          comment: "Measured over model mean latency: outside the band the code or the model is wrong (the machine's overhead adds about 0.5 ms of wall time)."))
                add(.init(name: "\(name)/latency_ks", kind: .band, low: 0, high: 0.15,
                          comment: "Kolmogorov-Smirnov distance between the measured and modelled latency distributions: the whole shape must match, not only the mean."))
                add(.init(name: "\(name)/p50_over_webhook_p50", kind: .atLeast, value: 1.2,
                          comment: "A poller waits for its next poll and a webhook does not, so its p50 is well above the webhook's; both are measured in one run, so the machine's speed cancels out."))
                // A strategy whose model expects no wait (a held stream, a long-poll) has this figure instead of the three above.
                add(.init(name: "\(name)/push_p50_over_webhook_p50", kind: .band, low: 0, high: 4,
                          comment: "Told at once over a connection it holds, as fast as a webhook: its p50 stays within a few times the webhook's, both measured in one run (both are mostly the machine's overhead)."))
            }
        }
        add(.init(name: "receiver/ratio_to_ceiling", kind: .atLeast, value: 0.2,
                  comment: "The webhook receiver's rate over its own server's ceiling (a route that does no work), both measured in one run: it was 0.12 before group commit."))
        add(.init(name: "dbcost/speedup_100000_rows", kind: .atLeast, value: 50,
                  comment: "The document_id index must turn the receiver's update from a scan into a search (hundreds of times faster at 100k rows).",
                  backend: "sqlite"))
        add(.init(name: "dbcost/postgres_speedup_100000_rows", kind: .atLeast, value: 10,
                  comment: "On PostgreSQL too the index must turn the update from a sequential scan into an index scan: without it the ratio is 1; the loopback round trip (0.3-0.7 ms here), included in both, narrows it to 20-50.",
                  backend: "postgres"))
        return figures
    }
}
