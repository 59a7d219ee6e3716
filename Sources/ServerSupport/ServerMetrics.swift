import CoreMetrics
import Foundation
import Hummingbird
import Prometheus
import Synchronization

/// One server's Prometheus metrics, served as `GET /metrics` in Prometheus' text format.
///
/// Metrics are written through swift-metrics' API with a `PrometheusMetricsFactory` over this server's own
/// registry, passed to each metric rather than bootstrapped globally, so several servers in one process (the
/// benchmark, the tests) keep their own. Requests are counted as they are answered; totals the server keeps anyway
/// (deliveries, verdicts, statements) are read by collectors at each scrape and exported as counters by their
/// increase, gauges as their value then.
public final class ServerMetrics: Sendable {
    /// What a collector reports at a scrape.
    public struct Collection {
        fileprivate var totals: [(name: String, dimensions: [(String, String)], value: Double)] = []
        fileprivate var gauges: [(name: String, dimensions: [(String, String)], value: Double)] = []

        /// A count that only grows, such as webhook attempts so far: exported as a counter (`_total`).
        public mutating func total(_ name: String, _ dimensions: [(String, String)] = [], _ value: Double) {
            totals.append((name, dimensions, value))
        }

        public mutating func total(_ name: String, _ value: Double) {
            total(name, [], value)
        }

        /// A value that goes up and down, such as the reviews pending now.
        public mutating func gauge(_ name: String, _ dimensions: [(String, String)] = [], _ value: Double) {
            gauges.append((name, dimensions, value))
        }

        public mutating func gauge(_ name: String, _ value: Double) {
            gauge(name, [], value)
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
        var requests: [RouteStatus: CoreMetrics.Counter] = [:]
        var counters: [Key: CoreMetrics.FloatingPointCounter] = [:]
        var gauges: [Key: CoreMetrics.Gauge] = [:]
        var timers: [Key: CoreMetrics.Timer] = [:]
        /// The value of each collected total at the last scrape.
        var lastTotals: [Key: Double] = [:]
        var collectors: [@Sendable (inout Collection) -> Void] = []
    }

    public let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let state = Mutex(State())

    /// The content type of Prometheus' text exposition format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// - Parameter latencyBuckets: The histogram buckets of every timer, from fast to slow.
    public init(latencyBuckets: [Duration] = ServerMetrics.defaultLatencyBuckets) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = latencyBuckets
        self.factory = factory
    }

    /// From a millisecond to a day: webhooks arrive in milliseconds, polls and retries in seconds to hours.
    public static let defaultLatencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5),
        .seconds(30), .seconds(60), .seconds(300), .seconds(1800), .seconds(3600), .seconds(4 * 3600), .seconds(86_400),
    ]

    /// Counts one answered request: `http_requests_total{route, status}`.
    public func record(_ sample: TrafficSample) {
        metric(\.requests, RouteStatus(route: sample.route, status: sample.status)) {
            CoreMetrics.Counter(label: "http_requests_total", dimensions: [("route", sample.route), ("status", String(sample.status))], factory: factory)
        }.increment()
    }

    /// Adds `amount` to the counter `name` (ending in `_total`).
    public func increment(_ name: String, _ dimensions: [(String, String)] = [], by amount: Double = 1) {
        counter(name, dimensions).increment(by: amount)
    }

    /// Records a duration in the histogram `name` (seconds, so `name` ends in `_seconds`).
    public func recordDuration(_ name: String, _ dimensions: [(String, String)] = [], _ duration: Duration) {
        metric(\.timers, Key(name, dimensions)) {
            CoreMetrics.Timer(label: name, dimensions: dimensions, factory: factory)
        }.recordNanoseconds(max(0, duration.nanosecondsValue))
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
            let key = Key(total.name, total.dimensions)
            let increase = state.withLock { state -> Double in
                let increase = total.value - (state.lastTotals[key] ?? 0)
                state.lastTotals[key] = max(total.value, state.lastTotals[key] ?? 0)
                return increase
            }
            let counter = counter(total.name, total.dimensions)
            if increase > 0 { counter.increment(by: increase) }
        }
        for gauge in collection.gauges {
            metric(\.gauges, Key(gauge.name, gauge.dimensions)) {
                CoreMetrics.Gauge(label: gauge.name, dimensions: gauge.dimensions, factory: factory)
            }.record(gauge.value)
        }
        return registry.emitToString()
    }

    private func counter(_ name: String, _ dimensions: [(String, String)]) -> CoreMetrics.FloatingPointCounter {
        metric(\.counters, Key(name, dimensions)) {
            CoreMetrics.FloatingPointCounter(label: name, dimensions: dimensions, factory: factory)
        }
    }

    /// The metric kept under `key` in `table`, made by `make` the first time it is asked for.
    private func metric<Name: Hashable, Metric: Sendable>(_ table: WritableKeyPath<State, [Name: Metric]>, _ key: Name, make: () -> Metric) -> Metric {
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
