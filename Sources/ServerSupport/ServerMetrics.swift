import Foundation
import Hummingbird
import Prometheus
import Synchronization

/// A metric's name and the help text Prometheus shows for it (its `# HELP` line).
public struct MetricName: Sendable, Hashable {
    public let name: String
    public let help: String

    /// - Parameters:
    ///   - name: The metric's name: a counter's ends in `_total`, a histogram of durations in `_seconds`.
    ///   - help: One line saying what it counts.
    public init(_ name: String, help: String) {
        self.name = name
        self.help = help
    }

    /// `http_requests_total{route, status}`, on both servers.
    public static let httpRequests = MetricName("http_requests_total", help: "Requests answered, by route template and status.")
}

/// One server's Prometheus metrics, served as `GET /metrics` in Prometheus' text format.
///
/// Every metric lives in a registry of this server's own (several servers in one process, as in the benchmark and
/// the tests, keep theirs apart) and carries its help text, so the exposition has a `# HELP` and a `# TYPE` line for
/// each, as Prometheus' linter (`promtool check metrics`) asks. Requests are counted as they are answered; totals the
/// server keeps anyway (deliveries, verdicts, statements) are read by collectors at each scrape and exported as
/// counters by their increase, gauges as their value then.
public final class ServerMetrics: Sendable {
    /// What a collector reports at a scrape.
    public struct Collection {
        fileprivate var totals: [(metric: MetricName, dimensions: [(String, String)], value: Double)] = []
        fileprivate var gauges: [(metric: MetricName, dimensions: [(String, String)], value: Double)] = []

        /// A count that only grows, such as webhook attempts so far: exported as a counter (`_total`).
        public mutating func total(_ metric: MetricName, _ dimensions: [(String, String)] = [], _ value: Double) {
            totals.append((metric, dimensions, value))
        }

        public mutating func total(_ metric: MetricName, _ value: Double) {
            total(metric, [], value)
        }

        /// A value that goes up and down, such as the reviews pending now.
        public mutating func gauge(_ metric: MetricName, _ dimensions: [(String, String)] = [], _ value: Double) {
            gauges.append((metric, dimensions, value))
        }

        public mutating func gauge(_ metric: MetricName, _ value: Double) {
            gauge(metric, [], value)
        }
    }

    private struct Key: Hashable {
        var name: String
        var dimensions: [String]

        init(_ name: String, _ dimensions: [(String, String)]) {
            self.name = name
            self.dimensions = dimensions.flatMap { [$0.0, $0.1] }
        }
    }

    private struct RouteStatus: Hashable {
        var route: String
        var status: Int
    }

    private struct State {
        /// `http_requests_total` by route and status: found without building labels, so counting a request
        /// allocates nothing once its pair has been seen.
        var requests: [RouteStatus: Prometheus.Counter] = [:]
        var counters: [Key: Prometheus.Counter] = [:]
        var gauges: [Key: Prometheus.Gauge] = [:]
        var histograms: [Key: DurationHistogram] = [:]
        /// The value of each collected total at the last scrape.
        var lastTotals: [Key: Double] = [:]
        var collectors: [@Sendable (inout Collection) -> Void] = []
    }

    public let registry = PrometheusCollectorRegistry()
    private let latencyBuckets: [Duration]
    private let state = Mutex(State())

    /// The content type of Prometheus' text exposition format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// - Parameter latencyBuckets: The histogram buckets of every duration, from fast to slow.
    public init(latencyBuckets: [Duration] = ServerMetrics.defaultLatencyBuckets) {
        self.latencyBuckets = latencyBuckets
    }

    /// From a millisecond to a day: webhooks arrive in milliseconds, polls and retries in seconds to hours.
    public static let defaultLatencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5),
        .seconds(30), .seconds(60), .seconds(300), .seconds(1800), .seconds(3600), .seconds(4 * 3600), .seconds(86_400),
    ]

    /// Counts one answered request: `http_requests_total{route, status}`.
    public func record(_ sample: TrafficSample) {
        kept(\.requests, RouteStatus(route: sample.route, status: sample.status)) {
            let metric = MetricName.httpRequests
            return registry.makeCounter(name: metric.name, labels: [("route", sample.route), ("status", String(sample.status))], help: metric.help)
        }.increment()
    }

    /// Adds `amount` to the counter `metric` (its name ending in `_total`).
    public func increment(_ metric: MetricName, _ dimensions: [(String, String)] = [], by amount: Double = 1) {
        counter(metric, dimensions).increment(by: amount)
    }

    /// Records a duration in the histogram `metric` (seconds, so its name ends in `_seconds`).
    public func recordDuration(_ metric: MetricName, _ dimensions: [(String, String)] = [], _ duration: Duration) {
        kept(\.histograms, Key(metric.name, dimensions)) {
            registry.makeDurationHistogram(name: metric.name, labels: dimensions, buckets: latencyBuckets, help: metric.help)
        }.record(max(.zero, duration))
    }

    /// Adds a collector, run at every scrape.
    public func collect(_ collector: @escaping @Sendable (inout Collection) -> Void) {
        state.withLock { $0.collectors.append(collector) }
    }

    /// Runs the collectors and writes every metric in Prometheus' text format.
    public func render() -> String {
        var collection = Collection()
        for collector in state.withLock({ $0.collectors }) { collector(&collection) }
        for total in collection.totals {
            let key = Key(total.metric.name, total.dimensions)
            let increase = state.withLock { state -> Double in
                let increase = total.value - (state.lastTotals[key] ?? 0)
                state.lastTotals[key] = max(total.value, state.lastTotals[key] ?? 0)
                return increase
            }
            let counter = counter(total.metric, total.dimensions)
            if increase > 0 { counter.increment(by: increase) }
        }
        for gauge in collection.gauges {
            kept(\.gauges, Key(gauge.metric.name, gauge.dimensions)) {
                registry.makeGauge(name: gauge.metric.name, labels: gauge.dimensions, help: gauge.metric.help)
            }.set(to: gauge.value)
        }
        return registry.emitToString()
    }

    private func counter(_ metric: MetricName, _ dimensions: [(String, String)]) -> Prometheus.Counter {
        kept(\.counters, Key(metric.name, dimensions)) {
            registry.makeCounter(name: metric.name, labels: dimensions, help: metric.help)
        }
    }

    /// The metric kept under `key` in `table`, made by `make` the first time it is asked for.
    private func kept<Name: Hashable, Metric: Sendable>(_ table: WritableKeyPath<State, [Name: Metric]>, _ key: Name, make: () -> Metric) -> Metric {
        state.withLock { state in
            if let metric = state[keyPath: table][key] { return metric }
            let metric = make()
            state[keyPath: table][key] = metric
            return metric
        }
    }

    /// Mounts `GET /metrics`; any other method on it is answered 405 with `Allow: GET`.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("metrics") { [self] _, _ in
            Response(status: .ok, headers: [.contentType: Self.contentType], body: .init(byteBuffer: ByteBuffer(string: render())))
        }
        for method in [HTTPRequest.Method.post, .put, .patch, .delete] {
            router.on("metrics", method: method) { _, _ -> Response in
                throw APIError(.methodNotAllowed, "\(method) is not allowed on /metrics: only GET", field: "method", headers: [.allow: "GET"])
            }
        }
    }
}
