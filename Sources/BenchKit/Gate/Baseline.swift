import Foundation

/// `results/baseline.json`: the figures CI keeps, each with how it is measured and how it may move, and where they
/// came from.
public struct Baseline: Codable, Sendable, Hashable {
    /// The layout this `Bench` reads and writes; a file of another is refused, never half read.
    public static let currentSchemaVersion = 2

    /// How a figure is judged.
    public enum Kind: String, Codable, Sendable, Hashable {
        /// Must equal `value`; a change on the `better` side (when the figure has one) is an improvement.
        case exact
        /// Must stay within `tolerance` (relative) or `slack` (absolute) of `value`; beyond it on the `better` side it
        /// has improved.
        case within
        /// Must be at least `value`.
        case atLeast = "at_least"
        /// Must lie in `[low, high]`.
        case band
    }

    /// How a figure is measured, which decides whether it can fail the gate.
    public enum Measurement: String, Codable, Sendable, Hashable, CaseIterable {
        /// Behaviour in virtual time: the same seed gives the same value on any machine. Fails the gate.
        case exact
        /// Work counted on the hot paths (instructions, heap allocations per operation): independent of the
        /// machine's load. Fails the gate.
        case counted
        /// Wall-clock time on a shared machine: written and judged, but it only warns.
        case timed
    }

    /// Which way a figure improves.
    public enum Direction: String, Codable, Sendable, Hashable {
        case lower
        case higher
    }

    public struct Figure: Codable, Sendable, Hashable {
        /// `SCENARIO/STRATEGY/measure`, `all/measure`, `receiver/measure`, `dbcost/measure` or `hotpath/PATH/measure`.
        public var name: String
        public var kind: Kind
        public var measured: Measurement
        public var value: Double?
        public var tolerance: Double?
        /// An absolute tolerance of a `within` figure (such as one allocation per operation).
        public var slack: Double?
        public var better: Direction?
        public var low: Double?
        public var high: Double?
        /// Why CI keeps this figure, where the measure's own description (README) does not say it all.
        public var comment: String?
        /// The database backend the figure is measured on, when only one is: a run that did not use it leaves the
        /// figure unjudged (and `--update` leaves it as it is).
        public var backend: String?

        public init(
            name: String,
            kind: Kind,
            measured: Measurement,
            value: Double? = nil,
            tolerance: Double? = nil,
            slack: Double? = nil,
            better: Direction? = nil,
            low: Double? = nil,
            high: Double? = nil,
            comment: String? = nil,
            backend: String? = nil
        ) {
            self.name = name
            self.kind = kind
            self.measured = measured
            self.value = value
            self.tolerance = tolerance
            self.slack = slack
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

    public var schemaVersion: Int
    public var origin: Origin
    /// The `Bench run` options of the workload the figures come from, which `Bench check` runs again; absent: the
    /// CI profile (``ciWorkload``).
    public var workload: [String]?
    public var figures: [Figure]

    /// The project's own gate: the CI profile, hot paths included.
    public static let ciWorkload = ["--profile", "ci"]

    public init(origin: Origin, workload: [String]? = nil, figures: [Figure]) {
        self.schemaVersion = Self.currentSchemaVersion
        self.origin = origin
        self.workload = workload == Self.ciWorkload ? nil : workload
        self.figures = figures
    }

    /// The workload `Bench check` runs to judge this baseline.
    public var runWorkload: [String] { workload ?? Self.ciWorkload }

    /// Whether a workload's gate counts the hot paths: the CI profile's does (they are this project's own code, and
    /// its baseline keeps them); a workload of a user's own is judged on its behaviour.
    public static func countsHotPaths(_ workload: [String]) -> Bool {
        zip(workload, workload.dropFirst()).contains { $0 == ("--profile", "ci") } || workload.contains("--profile=ci")
    }

    /// Reads and checks a baseline file.
    public static func load(from url: URL) throws(BenchError) -> Baseline {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw BenchError("the baseline \(url.path) cannot be read: \(error.localizedDescription)")
        }
        struct Version: Decodable { var schemaVersion: Int? }
        guard let version = try? JSONDecoder().decode(Version.self, from: data) else {
            throw BenchError("the baseline \(url.path) is not a JSON object")
        }
        guard version.schemaVersion == currentSchemaVersion else {
            let found = version.schemaVersion.map { "schema version \($0)" } ?? "no schemaVersion"
            throw BenchError("the baseline \(url.path) has \(found); this Bench reads schema version \(currentSchemaVersion): make a new one with `Bench check --update`")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let baseline: Baseline
        do {
            baseline = try decoder.decode(Baseline.self, from: data)
        } catch {
            throw BenchError("the baseline \(url.path) is not a valid baseline: \(error)")
        }
        do {
            try baseline.validate()
        } catch {
            throw BenchError("the baseline \(url.path): \(error.description)")
        }
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
                let tolerance = figure.tolerance ?? 0
                let slack = figure.slack ?? 0
                guard figure.value?.isFinite == true, tolerance >= 0, slack >= 0, figure.tolerance != nil || figure.slack != nil, figure.better != nil else {
                    throw BenchError("\(figure.name): a within figure needs a value, a tolerance or slack of at least 0 and a better direction")
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
