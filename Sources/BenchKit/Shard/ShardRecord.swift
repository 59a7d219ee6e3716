import Crypto
import Flows
import Foundation
import Histogram
import SimulationSupport

/// What one shard of a run measured, as `Bench run --shard I/N` writes it to `shard.json`: for each strategy the
/// counts that add up across shards and, for each of its documents, what the figures that do not add up (latency
/// quantiles, KS distances, the model on the run's draws, the submissions' backlog) are computed from again.
public struct ShardRecord: Codable, Sendable {
    /// The version of this file's layout.
    public static let currentFormat = 1

    public var format = ShardRecord.currentFormat
    /// The SHA-256 of the `Bench` executable that ran the shard: shards of different builds are not merged.
    public var build: String
    public var index: Int
    public var count: Int
    /// The `Bench run` options that describe the whole run's workload (`--shard`, `--shards` and `--out` left out).
    public var arguments: [String]
    /// The whole run's parameters as `run.json` lists them, seed included: shards of different workloads are not merged.
    public var workload: [String: String]
    /// Documents in the whole run.
    public var documents: Int
    /// Why the shard failed, when it did: its results are then absent.
    public var failure: String?
    public var startedAt: Date
    public var wallSeconds: Double
    public var results: [Part]

    public init(shard: Shard, arguments: [String], workload: [String: String], documents: Int, startedAt: Date) throws {
        build = try Self.thisBuild()
        index = shard.index
        count = shard.count
        self.arguments = arguments
        self.workload = workload
        self.documents = documents
        self.startedAt = startedAt
        wallSeconds = 0
        results = []
    }

    public var shard: String { "\(index)/\(count)" }

    /// The SHA-256 of this process's executable, in hex: what ``build`` holds.
    public static func thisBuild() throws -> String {
        let data = try Data(contentsOf: HotPathCounter.thisProgram, options: .alwaysMapped)
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// Reads the record a shard wrote: `path` is the file or the folder holding `shard.json`.
    public static func load(_ path: String) throws(BenchError) -> ShardRecord {
        var url = URL(fileURLWithPath: path)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue {
            url = url.appendingPathComponent(fileName)
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw BenchError("\(path): no \(fileName) there (a shard writes it to its --out folder: Bench run --shard I/N --out DIR)")
        }
        do {
            return try JSONDecoder().decode(ShardRecord.self, from: data)
        } catch {
            throw BenchError("\(url.path) is not a shard's record: \(error)")
        }
    }

    /// Writes this record to `shard.json` in `folder`.
    public func write(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: folder.appendingPathComponent(Self.fileName), options: .atomic)
    }

    /// The file a shard writes to its `--out` folder.
    public static let fileName = "shard.json"

    /// One strategy's run on one shard.
    public struct Part: Codable, Sendable {
        public var scenario: String
        public var strategy: String
        /// Counts that add up across shards, by name (see ``ShardRecord/additive``).
        public var counts: [String: Int]
        public var dbTimeNanoseconds: Int64
        public var cpuUserSeconds: Double
        public var cpuSystemSeconds: Double
        public var wallNanoseconds: Int64
        public var modelNanoseconds: Int64
        public var peakResidentBytes: UInt64?
        public var steps: Int?
        public var events: Int?
        public var stepperWallNanoseconds: Int64?
        public var stepperModelNanoseconds: Int64?
        public var incomplete: String?
        public var firstSubmissionFailure: String?
        /// By the shard's document index: latency and decision instant (model nanoseconds, `nil` for none), status
        /// polls, and when the submission was answered (model nanoseconds from the start, -1 for none).
        public var latencyNanoseconds: [Int64?]
        public var decidedNanoseconds: [Int64?]
        public var statusPolls: [Int]
        public var answeredNanoseconds: [Int64]
        /// The submissions' latencies in microseconds, as the submitter recorded them (-1 for none).
        public var submissionLatencyMicroseconds: [Double]
        /// Wall microseconds from each decision to its row (the harness's overhead).
        public var overhead: Histogram<UInt64>?
    }

    /// The counts of ``Part/counts``, each the sum of the shards'.
    static var additive: [(name: String, keyPath: WritableKeyPath<StrategyResult, Int>)] { [
        ("documents", \.documents), ("completed", \.completed), ("lost", \.lost), ("accepted", \.accepted),
        ("declined", \.declined), ("submitted", \.submissions.submitted), ("submit_failed", \.submissions.failed),
        ("submit_requests", \.submitRequests), ("status_requests", \.statusRequests),
        ("status_not_modified", \.statusNotModified), ("event_requests", \.eventRequests),
        ("stream_requests", \.streamRequests), ("stream_events", \.streamEvents),
        ("stream_heartbeats", \.streamHeartbeats), ("stream_bytes", \.streamBytes),
        ("documents_polled_twice", \.documentsPolledTwice), ("documents_handed_over", \.documentsHandedOver),
        ("webhook_attempts", \.webhookAttempts), ("webhook_retries", \.webhookRetries),
        ("webhook_failed_attempts", \.webhookFailedAttempts), ("duplicates_sent", \.duplicatesSent),
        ("thin_fetches", \.thinFetches), ("learning_requests", \.learningRequests), ("wasted_requests", \.wastedRequests),
        ("duplicates_suppressed", \.duplicatesSuppressed), ("conflicts", \.conflicts), ("double_applied", \.doubleApplied),
        ("wrong_verdicts", \.wrongVerdicts), ("bytes_sent", \.bytesSent), ("bytes_received", \.bytesReceived),
        ("db_statements", \.dbStatements), ("rate_limited", \.rateLimited), ("webhooks_replayed", \.webhooksReplayed),
        ("recovery_requests", \.recoveryRequests), ("reconciled", \.reconciled),
    ] }

    /// Peaks of one shard's run, of which the merge keeps the highest: a lower bound of the whole run's. None of
    /// them is a column of `summary.csv`; the outage matrix, which reads them, is not sharded.
    static var peaks: [(name: String, keyPath: WritableKeyPath<StrategyResult, Int>)] { [
        ("peak_reads_per_minute", \.peakReadsPerMinute), ("peak_deliveries_per_second", \.peakDeliveriesPerSecond),
        ("peak_deliveries_per_minute", \.peakDeliveriesPerMinute),
    ] }
}

extension ShardRecord.Part {
    public init(_ result: StrategyResult) {
        scenario = result.scenario
        strategy = result.strategy.description
        counts = Dictionary(uniqueKeysWithValues: (ShardRecord.additive + ShardRecord.peaks).map { ($0.name, result[keyPath: $0.keyPath]) })
        dbTimeNanoseconds = result.dbTime.nanosecondsValue
        cpuUserSeconds = result.cpu.user
        cpuSystemSeconds = result.cpu.system
        wallNanoseconds = result.wallDuration.nanosecondsValue
        modelNanoseconds = result.modelDuration.nanosecondsValue
        peakResidentBytes = result.peakResidentBytes
        steps = result.stepper?.steps
        events = result.stepper?.events
        stepperWallNanoseconds = result.stepper?.wall.nanosecondsValue
        stepperModelNanoseconds = result.stepper?.model.nanosecondsValue
        incomplete = result.incomplete
        firstSubmissionFailure = result.submissions.firstFailure
        latencyNanoseconds = result.perDocument.map { $0.latency?.nanosecondsValue }
        decidedNanoseconds = result.perDocument.map { $0.decidedAt?.nanosecondsValue }
        statusPolls = result.perDocument.map(\.statusPolls)
        answeredNanoseconds = result.submissions.answeredNanoseconds
        submissionLatencyMicroseconds = result.submissions.latencyMicroseconds
        overhead = result.overheadHistogram
    }
}
