/// Which figures the gate keeps and how each may move, for a run of the CI profile or of a workload of a user's own.
/// The values come from a run (`Bench check --update`); the kinds, tolerances, floors and bands are set here and may
/// be edited in the file.
public enum BaselinePolicy {
    /// A column of `summary.csv` the gate keeps exactly for every scenario and strategy of the run.
    public struct ExactMeasure: Sendable, Hashable {
        public var column: String
        /// The way a change counts as an improvement; `nil`: any change is a regression.
        public var better: Baseline.Direction?
        /// Differs between database backends (kept once per backend).
        public var perBackend = false
    }

    /// Every behaviour figure of a strategy in virtual time: deterministic for a seed, so kept exactly.
    public static let exactMeasures: [ExactMeasure] = [
        .init(column: "completed", better: .higher),
        .init(column: "lost", better: .lower),
        .init(column: "accepted"),
        .init(column: "declined"),
        .init(column: "latency_p50_ms", better: .lower),
        .init(column: "latency_p90_ms", better: .lower),
        .init(column: "latency_p99_ms", better: .lower),
        .init(column: "latency_p999_ms", better: .lower),
        .init(column: "latency_max_ms", better: .lower),
        .init(column: "latency_mean_ms", better: .lower),
        .init(column: "requests_total", better: .lower),
        .init(column: "submit_requests", better: .lower),
        .init(column: "status_requests", better: .lower),
        .init(column: "status_not_modified"),
        .init(column: "event_requests", better: .lower),
        .init(column: "stream_requests", better: .lower),
        .init(column: "stream_events"),
        .init(column: "stream_heartbeats"),
        .init(column: "thin_fetches", better: .lower),
        .init(column: "wasted_requests", better: .lower),
        .init(column: "webhook_attempts", better: .lower),
        .init(column: "webhook_retries", better: .lower),
        .init(column: "duplicates_sent"),
        .init(column: "duplicates_suppressed"),
        .init(column: "conflicts", better: .lower),
        .init(column: "double_applied", better: .lower),
        .init(column: "wrong_verdicts", better: .lower),
        .init(column: "submit_failed", better: .lower),
        .init(column: "documents_polled_twice", better: .lower),
        .init(column: "documents_handed_over"),
        .init(column: "bytes_sent", better: .lower),
        .init(column: "bytes_received", better: .lower),
        .init(column: "db_statements", better: .lower, perBackend: true),
        .init(column: "model_events"),
        // The run's model time until its last delivery settled: retries after a commit move nothing else.
        .init(column: "model_s"),
        .init(column: "latency_ks"),
    ]

    /// The figures of a run, with this policy's judgements and the run's values where the kind takes one.
    public static func figures(for run: RunFigures) -> [Baseline.Figure] {
        var figures: [Baseline.Figure] = []
        // A figure the run does not have (a latency ratio whose model is zero) is not kept.
        func add(_ figure: Baseline.Figure) {
            guard run.values[figure.name] != nil else { return }
            figures.append(figure)
        }
        add(.init(name: "all/accepted_agrees", kind: .exact, measured: .exact, value: 1,
                  comment: "Every strategy of a scenario saw the same verdicts from the same seed."))
        let measures = Dictionary(uniqueKeysWithValues: exactMeasures.flatMap { measure in
            [(measure.column, measure)] + (measure.perBackend ? [("postgres_\(measure.column)", measure)] : [])
        })
        for name in run.values.keys.sorted() {
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] != "hotpath" else { continue }
            let measure = String(parts[2])
            if let exact = measures[measure] {
                let backend = exact.perBackend ? (measure.hasPrefix("postgres_") ? "postgres" : "sqlite") : nil
                add(.init(name: name, kind: .exact, measured: .exact, value: run.values[name], better: exact.better, backend: backend))
            } else if measure == "latency_ratio", !FaultScenario.names.contains(String(parts[0])) {
                // Every workload's pollers, the CI profile's or a user's own.
                add(.init(name: name, kind: .band, measured: .exact, low: 0.85, high: 1.15,
                          comment: "Measured over model mean latency (the model on the run's own review delays), in virtual time: outside the band the code or the model is wrong (a baseline updated with a broken strategy still fails here)."))
            } else if measure == "latency_ratio" || measure == "requests_ratio", FaultScenario.names.contains(String(parts[0])) {
                // poll-backoff's model takes its own jitter draws (our app draws them by document id): sampling.
                let width = parts[1].hasPrefix("poll-backoff") ? 0.15 : 0.05
                add(.init(name: name, kind: .band, measured: .exact, low: 1 - width, high: 1 + width,
                          comment: "A fault row measured over its own fault's model on the run's draws, in virtual time: the goal is within 5 % (backoff's jitter is the model's own, 15 %)."))
            }
        }
        for backend in ["sqlite", "postgres"] {
            add(.init(name: RunFigures.dbCostName("uses_index_100000_rows", backend: backend), kind: .exact, measured: .exact, value: 1,
                      comment: "The receiver's update finds its row through the document_id index (the backend's query plan).", backend: backend))
            add(.init(name: RunFigures.dbCostName("scans_without_index_100000_rows", backend: backend), kind: .exact, measured: .exact, value: 1,
                      comment: "Without the index the same update scans the table: the cell measures what it says.", backend: backend))
        }
        for path in run.values.keys.filter({ $0.hasPrefix("hotpath/") }).sorted() {
            if path.hasSuffix("/instructions") {
                add(.init(name: path, kind: .within, measured: .counted, value: run.values[path], tolerance: 0.03, better: .lower,
                          comment: "Instructions per operation, counted by valgrind: more than 3 % more is a regression."))
            } else if path.hasSuffix("/allocations") {
                add(.init(name: path, kind: .within, measured: .counted, value: run.values[path], slack: 0.5, better: .lower,
                          comment: "Heap allocations per operation: half an allocation more (so one more on every operation) is a regression."))
            }
        }
        add(.init(name: "receiver/ratio_to_ceiling", kind: .atLeast, measured: .timed, value: 0.2,
                  comment: "The webhook receiver's rate over its own server's ceiling (a route that does no work), both measured in one run: it was 0.12 before group commit."))
        add(.init(name: "dbcost/speedup_100000_rows", kind: .atLeast, measured: .timed, value: 50,
                  comment: "The document_id index must turn the receiver's update from a scan into a search (hundreds of times faster at 100k rows).",
                  backend: "sqlite"))
        add(.init(name: "dbcost/postgres_speedup_100000_rows", kind: .atLeast, measured: .timed, value: 10,
                  comment: "On PostgreSQL too the index must turn the update from a sequential scan into an index scan: without it the ratio is 1; the loopback round trip (0.3-0.7 ms here), included in both, narrows it to 20-50.",
                  backend: "postgres"))
        return figures
    }
}
