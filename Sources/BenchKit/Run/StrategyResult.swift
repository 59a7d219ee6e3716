import Flows
import Foundation
import HelpDeskAPI
import Histogram
import SimulationSupport

/// Everything measured for one strategy on one scenario: one row of `summary.csv`.
public struct StrategyResult: Sendable {
    public var scenario: String
    public var strategy: StrategySpec
    public var documents: Int
    /// Rows that hold their verdict at the end of the run.
    public var completed: Int
    /// Rows still pending after the drain.
    public var lost: Int
    /// The open-loop submissions: their latency, the backlog, failures (documents without a row).
    public var submissions: SubmissionReport
    /// The process's highest resident memory during the strategy's run, bytes.
    public var peakResidentBytes: UInt64?
    /// Verdicts the Help Desk decided: the same for a seed whatever the strategy.
    public var accepted: Int
    public var declined: Int
    /// Notification latency: row committed with its verdict minus Help Desk decision, model time.
    public var latency: LatencySummary
    public var model: StrategyModel
    /// Kolmogorov–Smirnov distance between the measured latencies and the model's distribution; `nil` when the model
    /// puts a share of documents at no wait at all (their measured milliseconds are all the machine's).
    public var latencyDistance: Double?
    /// HTTP requests between the two sides, by kind, as the Help Desk counted them (webhooks as it sent them).
    public var submitRequests: Int
    public var statusRequests: Int
    /// Of the status requests, those answered 304 Not Modified.
    public var statusNotModified: Int
    public var eventRequests: Int
    /// Event streams opened (`GET /events/stream`), and what they carried: decision events and heartbeats.
    public var streamRequests: Int
    public var streamEvents: Int
    public var streamHeartbeats: Int
    public var streamBytes: Int
    /// App instances sharing the database, documents two of them polled less than an interval apart, and documents
    /// polled by more than one (handed over when their instance stopped).
    public var instances: Int
    public var documentsPolledTwice: Int
    public var documentsHandedOver: Int
    public var webhookAttempts: Int
    public var webhookRetries: Int
    /// Webhook attempts that failed: a non-2xx answer, a timeout or a transport error.
    public var webhookFailedAttempts: Int
    public var duplicatesSent: Int
    /// Of the status requests, those made to fetch a thin webhook's state.
    public var thinFetches: Int
    /// Requests by which our app learned or tried to learn a verdict, and those that learned nothing
    /// (see ``StrategyCounts``), plus webhook attempts that never reached our receiver.
    public var learningRequests: Int
    public var wastedRequests: Int
    public var duplicatesSuppressed: Int
    public var conflicts: Int
    /// Rows that got their verdict more than once (a transition applied twice): must be 0.
    public var doubleApplied: Int
    /// Rows holding a verdict other than the one the Help Desk decided: must be 0.
    public var wrongVerdicts: Int
    /// Body bytes our app sent to and received from the Help Desk, both directions of both kinds of traffic.
    public var bytesSent: Int
    public var bytesReceived: Int
    public var dbStatements: Int
    public var dbTime: Duration
    public var cpu: CPUTime
    /// How long the strategy's run lasted, wall and model time.
    public var wallDuration: Duration
    public var modelDuration: Duration
    /// Wall seconds per model second (1 on a virtual clock).
    public var timeScale: Double
    /// How model time passed.
    public var clock = RunClock.wall
    /// The modelled one-way network delay between our app and the Help Desk.
    public var network = NetworkDelay.none
    /// On a virtual clock: what the stepper did.
    public var stepper: VirtualTimeStepper.Statistics?
    /// On a virtual clock: wall time from each Help Desk decision to our row committed with it, the harness's own cost
    /// per notification.
    public var overhead: LatencySummary?
    /// The microseconds ``overhead`` summarises, for shards' runs to be put together (``ShardMerge``).
    var overheadHistogram: Histogram<UInt64>?
    /// Why the run stopped before it finished, when it did: its figures are partial.
    public var incomplete: String?
    /// The model evaluated on the run's own review delays (each document's seeded draw) rather than on their
    /// distribution: where the model is exact, measured and modelled figures then agree with no sampling error.
    public var modelOnDraws: StrategyModel?
    /// Kolmogorov–Smirnov distance between the measured latencies and ``modelOnDraws``.
    public var latencyDistanceOnDraws: Double?
    /// Each document's latency (`nil` if it never got its verdict) and status polls, by submission order.
    public var perDocument: [DocumentOutcome] = []
    /// Read requests the Help Desk answered 429 (its rate limit), the most it received in one model minute, and the
    /// most webhook attempts it began in one model second (what our receiver faced at its busiest).
    public var rateLimited = 0
    public var peakReadsPerMinute = 0
    public var peakDeliveriesPerSecond = 0
    /// The most webhook attempts the Help Desk began in one model minute: the retry storm after an outage.
    public var peakDeliveriesPerMinute = 0
    /// Messages the Help Desk replayed at our app's request after an outage, and the requests that asked for it
    /// (enable the endpoint, replay).
    public var webhooksReplayed = 0
    public var recoveryRequests = 0
    /// Documents whose verdict a reconciliation sweep brought (the hybrid), not a webhook.
    public var reconciled = 0
    /// Whether the run's vendor (`--vendor`) offers what the strategy needs; `nil` without a vendor.
    public var offered: StrategyAvailability?

    /// Process CPU time per document, milliseconds.
    public var cpuMillisecondsPerDocument: Double { (cpu.user + cpu.system) * 1000 / Double(max(documents, 1)) }

    public var requestsTotal: Int {
        submitRequests + statusRequests + eventRequests + streamRequests + webhookAttempts + duplicatesSent + recoveryRequests
    }

    /// Event-stream body bytes per document: what the Help Desk wrote on every stream, over the documents.
    public var streamBytesPerDocument: Double { Double(streamBytes) / Double(max(documents, 1)) }

    public var requestsPerDocument: Double { Double(requestsTotal) / Double(max(documents, 1)) }

    /// Useful learning requests over all learning requests.
    public var efficiency: Double {
        learningRequests == 0 ? 1 : Double(learningRequests - wastedRequests) / Double(learningRequests)
    }

    /// Measured over model mean latency; `nil` when the model expects none.
    public var latencyRatio: Double? {
        model.latencyMeanMilliseconds > 0 ? latency.meanMilliseconds / model.latencyMeanMilliseconds : nil
    }

    public var requestsRatio: Double { requestsPerDocument / model.requestsPerDocument }

    /// Latency at a percentile in wall milliseconds: what the machine spent, whatever the time scale. On a virtual
    /// clock, measured on the wall clock (``overhead``), since model time then owes nothing to the machine.
    public func wallLatencyMilliseconds(atPercentile percentile: Double) -> Double {
        if let overhead { return overhead.milliseconds(atPercentile: percentile) }
        return latency.milliseconds(atPercentile: percentile) * timeScale
    }
}

/// What happened to one document of a run, in 24 bytes: a run may keep a million of them.
public struct DocumentOutcome: Sendable, Hashable {
    /// Model nanoseconds, `Int64.min` for none.
    private var latencyNanoseconds: Int64
    private var decidedNanoseconds: Int64
    private var polls: Int32

    public init(latency: Duration?, statusPolls: Int, decidedAt: Duration? = nil) {
        latencyNanoseconds = latency.map(\.nanosecondsValue) ?? .min
        decidedNanoseconds = decidedAt.map(\.nanosecondsValue) ?? .min
        polls = Int32(clamping: statusPolls)
    }

    /// From the Help Desk's decision to our row, model time; `nil` when the row never got its verdict.
    public var latency: Duration? {
        latencyNanoseconds == .min ? nil : .nanoseconds(latencyNanoseconds)
    }

    /// `GET /document/{id}` requests our app's pollers sent about it (thin fetches not included).
    public var statusPolls: Int { Int(polls) }

    /// When the Help Desk decided it, model time from the start of the submissions; `nil` if it never did.
    public var decidedAt: Duration? {
        decidedNanoseconds == .min ? nil : .nanoseconds(decidedNanoseconds)
    }
}
