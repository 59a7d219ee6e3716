import Flows
import Foundation
import Histogram
import MockHelpDesk
import SimulationSupport

/// Puts the shards of one run back together: the results the whole run would have had where its documents share
/// nothing. Counts add; latency, the submissions' latency and backlog, the models on the run's draws and the
/// Kolmogorov–Smirnov distances are computed again on every document of the run, in the whole run's order; machine
/// figures add (CPU, model events) or take the longest shard's (wall time, peak memory).
public enum ShardMerge {
    /// A set of shards that cannot be merged: `failed` when one of them failed (exit 1), not when the set is wrong
    /// (exit 64).
    public struct Refusal: Error, CustomStringConvertible {
        public var description: String
        public var failed: Bool
    }

    /// Checks that `records` are every shard of one run, once each, of one build and workload, none failed.
    public static func check(_ records: [(source: String, record: ShardRecord)]) throws(Refusal) {
        guard let (firstSource, first) = records.first else { throw Refusal(description: "no shards to merge", failed: false) }
        for (source, record) in records {
            let differs = { (what: String) -> Refusal in
                Refusal(description: "\(source) (shard \(record.shard)) is of another \(what) than \(firstSource) (shard \(first.shard)): shards merge only with the shards of their own run", failed: false)
            }
            guard record.format == ShardRecord.currentFormat else {
                throw Refusal(description: "\(source) is written in format \(record.format); this Bench reads format \(ShardRecord.currentFormat)", failed: false)
            }
            guard record.build == first.build else { throw differs("build of Bench") }
            guard record.workload == first.workload else {
                let keys = Set(record.workload.keys).union(first.workload.keys).sorted().filter { record.workload[$0] != first.workload[$0] }
                throw differs("workload (\(keys.map { "\($0) \(record.workload[$0] ?? "none") against \(first.workload[$0] ?? "none")" }.joined(separator: ", ")))")
            }
            guard record.count == first.count else { throw differs("number of shards (\(record.count) against \(first.count))") }
            if let failure = record.failure {
                throw Refusal(description: "shard \(record.shard) (\(source)) failed: \(failure)", failed: true)
            }
        }
        var seen: [Int: String] = [:]
        for (source, record) in records {
            if let other = seen[record.index] {
                throw Refusal(description: "shard \(record.shard) is given twice: \(other) and \(source)", failed: false)
            }
            seen[record.index] = source
        }
        let missing = (0..<first.count).filter { seen[$0] == nil }
        guard missing.isEmpty else {
            throw Refusal(description: "shard\(missing.count > 1 ? "s" : "") \(missing.map { "\($0)/\(first.count)" }.joined(separator: ", ")) of \(first.count) \(missing.count > 1 ? "are" : "is") missing: nothing is merged from an incomplete set", failed: false)
        }
        for (source, record) in records where record.results.map(\.strategy) != first.results.map(\.strategy) {
            throw differs(source, record, first, firstSource)
        }
    }

    private static func differs(_ source: String, _ record: ShardRecord, _ first: ShardRecord, _ firstSource: String) -> Refusal {
        Refusal(description: "\(source) (shard \(record.shard)) ran \(record.results.map(\.strategy).joined(separator: " ")), \(firstSource) ran \(first.results.map(\.strategy).joined(separator: " ")): a shard that stopped early is incomplete", failed: false)
    }

    /// The whole run's results.
    /// - Parameters:
    ///   - records: Every shard of the run (``check(_:)`` passed), in any order.
    ///   - scenario: The whole run's workload, as its options describe it.
    public static func merge(_ records: [ShardRecord], scenario: ScenarioSpec) throws -> [StrategyResult] {
        let shards = records.sorted { $0.index < $1.index }
        guard let first = shards.first else { return [] }
        return try first.results.indices.map { position in
            let parts = shards.map { $0.results[position] }
            let strategy = try StrategySpec(parsing: parts[0].strategy)
            return try merge(parts, strategy: strategy, scenario: scenario)
        }
    }

    private static func merge(_ parts: [ShardRecord.Part], strategy: StrategySpec, scenario: ScenarioSpec) throws -> StrategyResult {
        let count = parts.count
        var result = StrategyResult(
            scenario: parts[0].scenario, strategy: strategy, documents: 0, completed: 0, lost: 0,
            submissions: SubmissionReport(submitted: 0, failed: 0, latency: LatencySummary([]), peakBacklog: 0, drainAfterLastArrival: .zero, arrivalSpan: .zero),
            accepted: 0, declined: 0, latency: LatencySummary([]), model: strategy.model(scenario.modelWorkload(window: .zero)),
            submitRequests: 0, statusRequests: 0, statusNotModified: 0, eventRequests: 0, streamRequests: 0, streamEvents: 0,
            streamHeartbeats: 0, streamBytes: 0, instances: scenario.instances, documentsPolledTwice: 0, documentsHandedOver: 0,
            webhookAttempts: 0, webhookRetries: 0, webhookFailedAttempts: 0, duplicatesSent: 0, thinFetches: 0,
            learningRequests: 0, wastedRequests: 0, duplicatesSuppressed: 0, conflicts: 0, doubleApplied: 0, wrongVerdicts: 0,
            bytesSent: 0, bytesReceived: 0, dbStatements: 0, dbTime: .zero, cpu: CPUTime(user: 0, system: 0),
            wallDuration: .zero, modelDuration: .zero, timeScale: 1, clock: scenario.clock, network: scenario.network
        )
        var stepper = VirtualTimeStepper.Statistics()
        var overhead: Histogram<UInt64>?
        for part in parts {
            for (name, keyPath) in ShardRecord.additive {
                guard let value = part.counts[name] else { throw BenchError("a shard's \(part.strategy) has no count \(name)") }
                result[keyPath: keyPath] += value
            }
            for (name, keyPath) in ShardRecord.peaks {
                result[keyPath: keyPath] = max(result[keyPath: keyPath], part.counts[name] ?? 0)
            }
            result.dbTime += .nanoseconds(part.dbTimeNanoseconds)
            result.cpu.user += part.cpuUserSeconds
            result.cpu.system += part.cpuSystemSeconds
            result.wallDuration = max(result.wallDuration, .nanoseconds(part.wallNanoseconds))
            result.modelDuration = max(result.modelDuration, .nanoseconds(part.modelNanoseconds))
            if let bytes = part.peakResidentBytes { result.peakResidentBytes = max(result.peakResidentBytes ?? 0, bytes) }
            stepper.steps += part.steps ?? 0
            stepper.events += part.events ?? 0
            stepper.wall = max(stepper.wall, .nanoseconds(part.stepperWallNanoseconds ?? 0))
            stepper.model = max(stepper.model, .nanoseconds(part.stepperModelNanoseconds ?? 0))
            if let histogram = part.overhead {
                if overhead == nil { overhead = histogram } else { overhead?.add(histogram) }
            }
        }
        result.stepper = stepper
        result.overheadHistogram = overhead
        result.overhead = overhead.map(LatencySummary.init(histogram:))
        if let (index, reason) = parts.enumerated().lazy.compactMap({ index, part in part.incomplete.map { (index, $0) } }).first {
            result.incomplete = "shard \(index)/\(count): \(reason)"
        }
        result.submissions.firstFailure = parts.lazy.compactMap(\.firstSubmissionFailure).first

        // Every document in the whole run's order: document g is document g / count of shard g % count.
        let submitted = result.submissions.submitted
        let latencyNanoseconds = try Self.interleave(parts.map(\.latencyNanoseconds), count: submitted, of: "latency")
        let decidedNanoseconds = try Self.interleave(parts.map(\.decidedNanoseconds), count: submitted, of: "decision")
        let statusPolls = try Self.interleave(parts.map(\.statusPolls), count: submitted, of: "status polls")
        let outcomes = (0..<submitted).map { ordinal in
            DocumentOutcome(
                latency: latencyNanoseconds[ordinal].map(Duration.nanoseconds),
                statusPolls: statusPolls[ordinal],
                decidedAt: decidedNanoseconds[ordinal].map(Duration.nanoseconds)
            )
        }
        result.perDocument = outcomes
        let latencies = outcomes.compactMap(\.latency)
        result.latency = LatencySummary(latencies)
        let latencySeconds = latencies.map(\.secondsValue)
        let configuration = scenario.helpDeskConfiguration
        let models = ModelComparison(
            strategy, on: scenario, window: result.modelDuration, streamFrames: nil, submitted: submitted, latencySeconds: latencySeconds
        ) { ordinal in
            ReviewPlan.draw(
                seed: configuration.seed, ordinal: configuration.reviewDraw(ofSubmission: ordinal),
                delay: configuration.reviewDelay, acceptRatio: configuration.acceptRatio
            ).documentId
        }
        result.model = models.model
        result.latencyDistance = models.distance
        result.modelOnDraws = models.onDraws
        result.latencyDistanceOnDraws = models.distanceOnDraws

        let offsets = scenario.arrivals.offsets
        let (answered, submissionLatencies) = (
            try Self.interleave(parts.map(\.answeredNanoseconds), count: offsets.count, of: "submission's answer"),
            try Self.interleave(parts.map(\.submissionLatencyMicroseconds), count: offsets.count, of: "submission's latency")
        )
        result.submissions = SubmissionTimeline(offsets: offsets, answeredNanoseconds: answered, latencyMicroseconds: submissionLatencies).report(
            submitted: result.submissions.submitted, failed: result.submissions.failed, firstFailure: result.submissions.firstFailure
        )
        result.timeScale = scenario.effectiveTimeScale
        result.offered = scenario.vendor?.availability(of: strategy)
        return result
    }

    /// The shards' values by document put in the whole run's order: document g is value g / shards of shard g % shards.
    /// - Parameter what: What the values are, for the error when a shard's record has too few.
    static func interleave<Value>(_ values: [[Value]], count: Int, of what: String) throws -> [Value] {
        try (0..<count).map { ordinal in
            let part = values[ordinal % values.count]
            let local = ordinal / values.count
            guard local < part.count else {
                throw BenchError("shard \(ordinal % values.count)/\(values.count) has no \(what) for its document \(local): its record is cut short")
            }
            return part[local]
        }
    }
}

/// The submissions of a virtual run as instants: when each document arrived by the plan and when its submission
/// was answered. What the submitter measures as it goes, computed again from the instants.
struct SubmissionTimeline {
    let offsets: [Duration]
    /// Model nanoseconds from the start, by document, -1 for a submission never answered.
    let answeredNanoseconds: [Int64]
    /// Microseconds from each document's arrival to its answer, as the submitter recorded them, -1 for none.
    let latencyMicroseconds: [Double]

    func report(submitted: Int, failed: Int, firstFailure: String?) -> SubmissionReport {
        var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        for latency in latencyMicroseconds where latency >= 0 {
            _ = histogram.record(UInt64(latency))
        }
        let answers = answeredNanoseconds.filter { $0 >= 0 }.sorted()
        // At each arrival: the documents arrived by then (those planned at that very instant included) less the
        // submissions answered before it; an answer at the instant of an arrival is counted after it.
        var peakBacklog = 0
        var answeredBefore = 0
        var arrivedIndex = 0
        while arrivedIndex < offsets.count {
            let instant = offsets[arrivedIndex].nanosecondsValue
            var arrived = arrivedIndex + 1
            while arrived < offsets.count, offsets[arrived].nanosecondsValue == instant { arrived += 1 }
            while answeredBefore < answers.count, answers[answeredBefore] < instant { answeredBefore += 1 }
            peakBacklog = max(peakBacklog, arrived - answeredBefore)
            arrivedIndex = arrived
        }
        let span = offsets.last ?? .zero
        let lastAnswer = answers.last.map(Duration.nanoseconds) ?? span
        var report = SubmissionReport(
            submitted: submitted,
            failed: failed,
            firstFailure: firstFailure,
            latency: LatencySummary(histogram: histogram),
            peakBacklog: peakBacklog,
            drainAfterLastArrival: max(.zero, lastAnswer - span),
            arrivalSpan: span
        )
        // On a virtual clock every submission is in flight from its arrival to its answer.
        report.peakInFlight = peakBacklog
        report.answeredNanoseconds = answeredNanoseconds
        report.latencyMicroseconds = latencyMicroseconds
        return report
    }
}
