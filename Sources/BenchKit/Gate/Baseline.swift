import Foundation

/// `results/baseline.json`: the figures CI keeps, each with how it may move, where they came from.
public struct Baseline: Codable, Sendable, Hashable {
    /// How a figure is judged.
    public enum Kind: String, Codable, Sendable, Hashable {
        /// Must equal `value`.
        case exact
        /// Must stay within `tolerance` (relative) of `value`; beyond it on the `better` side it has improved.
        case within
        /// Must be at least `value`.
        case atLeast = "at_least"
        /// Must lie in `[low, high]`.
        case band
    }

    /// Which way a `within` figure improves.
    public enum Direction: String, Codable, Sendable, Hashable {
        case lower
        case higher
    }

    public struct Figure: Codable, Sendable, Hashable {
        /// `STRATEGY/measure`, `all/measure` or `dbcost/measure`.
        public var name: String
        public var kind: Kind
        public var value: Double?
        public var tolerance: Double?
        public var better: Direction?
        public var low: Double?
        public var high: Double?
        /// Why CI keeps this figure.
        public var comment: String
        /// The database backend the figure is measured on, when only one is: a run that did not use it leaves the
        /// figure unjudged (and `--update` leaves it as it is).
        public var backend: String?

        public init(
            name: String,
            kind: Kind,
            value: Double? = nil,
            tolerance: Double? = nil,
            better: Direction? = nil,
            low: Double? = nil,
            high: Double? = nil,
            comment: String,
            backend: String? = nil
        ) {
            self.name = name
            self.kind = kind
            self.value = value
            self.tolerance = tolerance
            self.better = better
            self.low = low
            self.high = high
            self.comment = comment
            self.backend = backend
        }
    }

    /// Where the baseline was measured.
    public struct Origin: Codable, Sendable, Hashable {
        public var gitRevision: String
        public var measuredAt: Date
        public var machine: RunRecord.Machine
        /// The command whose run the values come from.
        public var command: String

        public init(gitRevision: String, measuredAt: Date, machine: RunRecord.Machine, command: String) {
            self.gitRevision = gitRevision
            self.measuredAt = measuredAt
            self.machine = machine
            self.command = command
        }
    }

    public var origin: Origin
    public var figures: [Figure]

    public init(origin: Origin, figures: [Figure]) {
        self.origin = origin
        self.figures = figures
    }

    /// Reads and checks a baseline file.
    public static func load(from url: URL) throws(BenchError) -> Baseline {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw BenchError("the baseline \(url.path) cannot be read: \(error.localizedDescription)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let baseline: Baseline
        do {
            baseline = try decoder.decode(Baseline.self, from: data)
        } catch {
            throw BenchError("the baseline \(url.path) is not a valid baseline: \(error)")
        }
        try baseline.validate()
        return baseline
    }

    /// Checks every figure has what its kind needs.
    public func validate() throws(BenchError) {
        guard !figures.isEmpty else { throw BenchError("the baseline lists no figures") }
        var names = Set<String>()
        for figure in figures {
            guard names.insert(figure.name).inserted else { throw BenchError("the baseline lists \(figure.name) twice") }
            switch figure.kind {
            case .exact, .atLeast:
                guard figure.value?.isFinite == true else { throw BenchError("\(figure.name): an \(figure.kind.rawValue) figure needs a value") }
            case .within:
                guard figure.value?.isFinite == true, let tolerance = figure.tolerance, tolerance >= 0, figure.better != nil else {
                    throw BenchError("\(figure.name): a within figure needs a value, a tolerance of at least 0 and a better direction")
                }
            case .band:
                guard let low = figure.low, let high = figure.high, low <= high else {
                    throw BenchError("\(figure.name): a band figure needs low <= high")
                }
            }
        }
    }

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(self).write(to: url)
    }
}
