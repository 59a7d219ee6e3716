import Foundation
@testable import Flows
import SimulationSupport
import Testing

/// Every model against an independent computation: closed forms for the schedules that have one, a numerical
/// convolution for backoff's jitter (whose model simulates the schedule).
struct StrategyModelTests {
    private let workload = ModelWorkload(reviewDelay: .seconds(2) ... .seconds(5), documents: 1000, window: .seconds(1000), seed: 42)

    private func model(_ spec: StrategySpec, _ adjust: (inout ModelWorkload) -> Void = { _ in }) -> StrategyModel {
        var workload = workload
        adjust(&workload)
        return spec.model(workload)
    }

    @Test func fixedPollingWaitsForTheNextPollOfItsCadence() {
        // D uniform on [2, 5], I = 1: ⌈D⌉ − D is uniform on [0, 1), after ⌈D⌉ polls (3, 4 or 5 equally).
        let oneSecond = model(.pollFixed(interval: .seconds(1)))
        #expect(abs(oneSecond.requestsPerDocument - 5) < 0.001)
        #expect(abs(oneSecond.latencyMeanMilliseconds - 500) < 1)
        for p in [0.5, 0.9, 0.99] { #expect(abs(oneSecond.latency.quantile(p) - p) < 0.002, "p\(p)") }
        // I = 2: 4 − D on (2, 4] with probability 2/3 (uniform on [0, 2)) and 6 − D on (4, 5] (uniform on [1, 2)):
        // F(x) = x/3 below 1 and (2x − 1)/3 above, so the median is 1.25 s and the mean (2 × 1 + 1.5) / 3 s.
        let twoSeconds = model(.pollFixed(interval: .seconds(2)))
        #expect(abs(twoSeconds.requestsPerDocument - (1 + 2.0 * 2 / 3 + 3.0 / 3)) < 0.001)
        #expect(abs(twoSeconds.latencyMeanMilliseconds - (2.0 * 1000 + 1500) / 3) < 1)
        #expect(abs(twoSeconds.latency.quantile(0.5) - 1.25) < 0.002)
        #expect(abs(twoSeconds.latency.cdf(0.9) - 0.3) < 0.002)
        #expect(model(.pollConditional(interval: .seconds(1))) == oneSecond, "the same cadence, so the same model")
    }

    @Test func longPollingWaitsForNothingAndAsksOncePerWait() {
        let thirty = model(.longPoll(wait: .seconds(30)))
        #expect(thirty.latency.isImmediate)
        #expect(abs(thirty.requestsPerDocument - 2) < 0.001)
        #expect(abs(model(.longPoll(wait: .seconds(2))).requestsPerDocument - (1 + 2.0 * 2 / 3 + 3.0 / 3)) < 0.001)
    }

    @Test func theEventFeedWaitsUniformlyForTheNextReadAndSharesItsReads() {
        let feed = model(.pollEvents(interval: .seconds(1))) { $0.window = .seconds(1010) }
        // Reads tick on their own phase: the wait is uniform on [0, 1 s]. 1010 ticks and one page per 100 events.
        #expect(abs(feed.requestsPerDocument - (1 + (1010.0 + 10) / 1000)) < 0.001)
        #expect(abs(feed.latencyMeanMilliseconds - 500) < 0.5)
        #expect(abs(feed.latency.quantile(0.99) - 0.99) < 0.001)
    }

    @Test func webhooksLoseWhatIsNeverSentAndRetryWhatFails() {
        let plain = model(.webhook)
        #expect(plain.latency.isImmediate && plain.requestsPerDocument == 2 && plain.lostShare == 0)
        #expect(model(.webhookThin).requestsPerDocument == 3)

        let dropped = model(.webhook) { $0.webhookDropRate = 0.1 }
        #expect(abs(dropped.lostShare - 0.1) < 1e-9, "a message never sent is lost")
        #expect(abs(dropped.requestsPerDocument - 1.9) < 1e-9)

        // Each attempt fails with q = 0.3; attempt k (of n) follows the first k − 1 delays of the schedule.
        let delays: [Double] = [0, 5, 300, 1800]
        let q = 0.3
        let retried = model(.webhook) {
            $0.attemptFailureRate = q
            $0.retryDelays = delays.map { .seconds($0) }
        }
        let n = Double(delays.count)
        let delivered = 1 - pow(q, n)
        #expect(abs(retried.lostShare - pow(q, n)) < 1e-9)
        let attempts = (0..<delays.count).reduce(0.0) { $0 + pow(q, Double($1)) }
        #expect(abs(retried.requestsPerDocument - (1 + attempts)) < 1e-9)
        #expect(abs(retried.latency.cdf(0) - (1 - q) / delivered) < 0.002, "the first attempt's share arrives at once")
        // Mean: Σ P(attempt k) × (sum of the first k − 1 delays), over the delivered; the ±10 % jitter averages out.
        var mean = 0.0
        for k in 1...delays.count { mean += (1 - q) * pow(q, Double(k - 1)) * delays[1..<k].reduce(0, +) }
        #expect(abs(retried.latency.mean / (mean / delivered) - 1) < 0.02, "\(retried.latency.mean) vs \(mean / delivered)")
    }

    @Test func hybridSettlesADroppedWebhookAtTheFirstSweepOnceARowIsStale() {
        let (sweep, stale) = (60.0, 0.5)
        let healthy = model(.hybrid(sweep: .seconds(sweep), staleAfter: .seconds(stale)))
        #expect(healthy.latency.isImmediate && healthy.lostShare == 0)
        // Every webhook dropped, one submission a second, every review 3 s, rows stale half a second after their
        // submission: some row is always stale and undecided, so every tick reads the feed, and a document decided at
        // t is settled at the first tick at or after t.
        let dropped = model(.hybrid(sweep: .seconds(sweep), staleAfter: .seconds(stale))) {
            $0.webhookDropRate = 1
            $0.reviewDelay = .uniform(.seconds(3) ... .seconds(3))
        }
        let latencies = (0..<1000).map { index -> Double in
            let decided = Double(index) + 3
            return (decided / sweep).rounded(.up) * sweep - decided
        }
        #expect(dropped.lostShare == 0)
        #expect(abs(dropped.latency.mean - latencies.reduce(0, +) / 1000) < 1e-9, "\(dropped.latency.mean)")
        #expect(dropped.latency.quantile(0.999) == latencies.max())
        // 17 ticks (60 ... 1020), each one page: the submission, no delivery, one read per tick shared by all.
        #expect(abs(dropped.requestsPerDocument - (1 + 17.0 / 1000)) < 1e-9)
    }

    @Test func hybridSweepsWheneverReviewsOutlastItsThreshold() {
        // One decision a second, T = 3 s inside D's 2-5 s: the rows pending past T at a sweep are Poisson with mean
        // λ·E[(D − T)⁺] = 2/3, so 1 − e^(−2/3) of the 1,000 one-second sweeps read the feed (plus its 10 pages).
        let hybrid = model(.hybrid(sweep: .seconds(1), staleAfter: .seconds(3)))
        let reads = 1000 * (1 - exp(-2.0 / 3)) + 10
        #expect(abs(hybrid.requestsPerDocument - (2 + reads / 1000)) < 1e-3, "\(hybrid.requestsPerDocument)")
        #expect(abs(hybrid.wastedRequestsPerDocument - reads / 1000) < 1e-3, "nothing missed: every read learns nothing")
        #expect(hybrid.latency.isImmediate)
        // A threshold above every review: no row goes stale, no sweep reads.
        #expect(model(.hybrid(sweep: .seconds(1), staleAfter: .seconds(6))).requestsPerDocument == 2)
    }

    @Test func backoffMatchesANumericalConvolutionOfItsJitter() {
        let (initial, factor, cap) = (0.5, 2.0, 8.0)
        let backoff = model(.pollBackoff(initial: .seconds(initial), factor: factor, cap: .seconds(cap)))
        let exact = BackoffConvolution(initial: initial, factor: factor, cap: cap, delays: (0..<150).map { 2 + 3 * (Double($0) + 0.5) / 150 })
        #expect(abs(backoff.requestsPerDocument - (1 + exact.meanPolls)) < 0.02, "\(backoff.requestsPerDocument) vs \(1 + exact.meanPolls)")
        #expect(abs(backoff.latency.mean / exact.meanLatency - 1) < 0.03, "\(backoff.latency.mean) vs \(exact.meanLatency)")
        for x in [0.25, 1.0, 2.5] {
            #expect(abs(backoff.latency.cdf(x) - exact.cdf(x)) < 0.02, "F(\(x)): \(backoff.latency.cdf(x)) vs \(exact.cdf(x))")
        }
    }

    @Test func aHeldStreamWaitsOnlyThroughItsReconnectGaps() {
        let quiet = model(.sse)
        #expect(quiet.latency.isImmediate, "an event is applied as it is sent")
        #expect(abs(quiet.requestsPerDocument - (1 + 1.0 / 1000)) < 1e-9, "one stream shared by all 1000 documents")

        // 1000 submissions a second apart; the reconnect gap is 1 s. Every stream ended after 10 events, or one restart
        // shorter than the gap (so the first attempt after it succeeds), between two submissions.
        let dropped = model(.sse) {
            $0.stream.closesAfterEvents = 10
            $0.stream.eventBytes = 200
            $0.stream.heartbeatBytes = 14
            $0.stream.openingBytes = 13
        }
        let restarted = model(.sse) { $0.stream.outages = [StreamOutage(at: .seconds(500.25), down: .seconds(0.5))] }
        let decisions = zip(workload.submissionInstants(), workload.delaysPerDocument()).map { $0 + $1 }.sorted()
        let cases = [
            (dropped, StreamGapSimulation(decisions: decisions, closesAfter: 10, restart: nil)),
            (restarted, StreamGapSimulation(decisions: decisions, closesAfter: nil, restart: 500.25)),
        ]
        for (model, simulated) in cases {
            #expect(abs(model.latency.mean - simulated.meanLatency) < 1e-9, "mean \(model.latency.mean) s against \(simulated.meanLatency) s")
            #expect(abs(model.requestsPerDocument - (1 + Double(simulated.streams) / 1000)) < 1e-9)
        }
        #expect(cases[0].1.streams == 100, "the first stream and one per 10 events")
        #expect(cases[1].1.streams == 2)
        // 200 bytes an event, 1000 / 15 heartbeats of 14 bytes and an opening of 13 per stream, shared by 1000 documents.
        let streams = Double(cases[0].1.streams)
        #expect(abs((dropped.streamBytesPerDocument ?? 0) - (200 + (1000.0 / 15 * 14 + streams * 13) / 1000)) < 1e-9)
    }

    @Test func theKolmogorovSmirnovDistanceIsTheLargestGapBetweenTheTwoCDFs() {
        let uniform = LatencyModel.uniform(width: 1)
        #expect(abs(uniform.kolmogorovSmirnovDistance(to: [0.5]) - 0.5) < 0.001)
        #expect(abs(uniform.kolmogorovSmirnovDistance(to: [2, 3]) - 1) < 0.001, "disjoint")
        let quantiles = (0..<1000).map { (Double($0) + 0.5) / 1000 }
        #expect(uniform.kolmogorovSmirnovDistance(to: quantiles) < 0.002)
        #expect(abs(uniform.kolmogorovSmirnovDistance(to: quantiles.map { $0 + 0.1 }) - 0.1) < 0.002, "shifted by a tenth")
    }

    private func pow(_ base: Double, _ exponent: Double) -> Double {
        (0..<Int(exponent)).reduce(1.0) { product, _ in product * base }
    }
}

/// Poll times of full-jitter backoff as densities on a grid: S₀ = 0, Sₙ = Sₙ₋₁ + Uₙ with Uₙ uniform on
/// [0, cₙ], cₙ = min(cap, initial × factorⁿ⁻¹). The poll that sees a verdict decided at D is the first Sₙ ≥ D.
private struct BackoffConvolution {
    let step = 0.002
    let meanPolls: Double
    let meanLatency: Double
    private let latencyCDF: [Double: Double]

    init(initial: Double, factor: Double, cap: Double, delays: [Double]) {
        let size = Int(20 / step)
        var ceilings: [Double] = []
        var ceiling = initial
        for _ in 0..<40 {
            ceilings.append(min(cap, ceiling))
            ceiling *= factor
        }
        // Mass of Sₙ₋₁ in each cell, for n = 1, 2, ...: a point mass at 0 first.
        var mass = [Double](repeating: 0, count: size)
        mass[0] = 1
        var polls = 0.0
        var latency = 0.0
        let points = [0.25, 1.0, 2.5]
        var below = [Double: Double]()
        for (index, c) in ceilings.enumerated() {
            let width = Int((c / step).rounded())
            for delay in delays {
                let limit = Int(delay / step)
                for cell in 0..<min(limit, size) where mass[cell] > 0 {
                    let gap = delay - (Double(cell) + 0.5) * step
                    guard gap < c else { continue }
                    // This poll crosses D: probability (c − gap) / c, overshoot uniform on [0, c − gap].
                    let crosses = mass[cell] * (c - gap) / c
                    polls += crosses * Double(index + 1) / Double(delays.count)
                    latency += crosses * (c - gap) / 2 / Double(delays.count)
                    for x in points { below[x, default: 0] += mass[cell] * min(x, c - gap) / c / Double(delays.count) }
                }
            }
            // Sₙ = Sₙ₋₁ + Uₙ: spread each cell's mass evenly over the next `width` cells (prefix sums).
            var next = [Double](repeating: 0, count: size)
            var running = 0.0
            for cell in 0..<size {
                running += mass[cell]
                if cell - width >= 0 { running -= mass[cell - width] }
                next[cell] = running / Double(max(width, 1))
            }
            mass = next
        }
        meanPolls = polls
        meanLatency = latency
        latencyCDF = below
    }

    func cdf(_ x: Double) -> Double { latencyCDF[x] ?? .nan }
}

/// The stream of `sse` followed decision by decision, many times over: 1000 decisions at seeded uniform instants
/// over 1000 s, the stream ending after every `closesAfter` events it carried and opening again 1 s later, and one
/// outage of the Help Desk that cuts the stream and keeps it down for its length and the 1 s gap. A decision made
/// while the stream is down waits until it is open again.
/// The event stream by hand: decisions in order, each delivered when it is made or, while the stream is down, when
/// the next one opens; a stream ends after `closesAfter` events (replays included) or at the restart, and the next
/// opens a gap of 1 s after the end.
private struct StreamGapSimulation {
    var meanLatency = 0.0
    var streams = 1

    init(decisions: [Double], closesAfter: Int?, restart: Double?) {
        let gap = 1.0
        var openAt = 0.0
        var carried = 0
        var restarted = restart == nil
        var total = 0.0
        // A stream is opened again only when a decision is left to carry.
        var reopens = false
        for decided in decisions {
            if !restarted, let restart, max(decided, openAt) >= restart {
                restarted = true
                openAt = max(openAt, restart + gap)
                carried = 0
                reopens = true
            }
            if reopens {
                streams += 1
                reopens = false
            }
            let delivered = max(decided, openAt)
            total += delivered - decided
            carried += 1
            if let closesAfter, carried == closesAfter {
                openAt = delivered + gap
                carried = 0
                reopens = true
            }
        }
        meanLatency = total / Double(decisions.count)
    }
}

/// The long-poll fleet with fewer slots than pending documents, against an event-by-event calculation by hand.
struct SlotQueueModelTests {
    /// Two slots, three documents submitted at 0, reviews of 10, 6 and 10 s, holds of 4 s, no network delay:
    /// at 0 documents 0 and 1 hold until 4 and 2 waits; at 4 document 2 (due since 0) and then 0 take the slots
    /// until 8, while 1 (decided at 6) waits; at 8 it is answered at once (latency 2), and 2 and 0 are held
    /// again, answered at their decision at 10. Requests: 3, 2 and 2.
    @Test func aHandComputedQueueOfThreeDocumentsForTwoSlots() {
        let outcome = SlotQueueModel(slots: 2, hold: 4, networkDelay: 0, arrivals: [0, 0, 0], delays: [10, 6, 10]).run()
        #expect(outcome.waited)
        #expect(outcome.requestsPerDocument == [3, 2, 2])
        #expect(outcome.requests == 7)
        #expect(outcome.latencies == [0, 2, 0])
    }

    /// The last document pending goes on polling after every other has left the queue: holds at 0, 4 and 8 s, the
    /// third answered at its decision at 10 s.
    @Test func theLastDocumentKeepsPollingOnceTheQueueIsEmpty() {
        let outcome = SlotQueueModel(slots: 1, hold: 4, networkDelay: 0, arrivals: [0], delays: [10]).run()
        #expect(outcome.requestsPerDocument == [3])
        #expect(outcome.latencies == [0])
        #expect(!outcome.waited)
    }

    @Test func withASlotForEveryDocumentTheLongPollKeepsItsOpenModel() {
        var workload = ModelWorkload(reviewDelay: .seconds(2) ... .seconds(5), documents: 200, window: .seconds(100), seed: 7)
        let open = LongPoll(wait: .seconds(30)).model(workload)
        workload.maxInFlight = 32
        #expect(LongPoll(wait: .seconds(30)).model(workload) == open, "2 pending documents a second for 5 s at most never fill 32 slots")
        workload.maxInFlight = 2
        let queued = LongPoll(wait: .seconds(30)).model(workload)
        #expect(queued != open)
        #expect(queued.latency.mean > 0, "a document decided while it waits for one of two slots learns it late")
    }
}
