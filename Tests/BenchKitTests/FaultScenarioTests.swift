import Foundation
import MockHelpDesk
import Testing

@testable import BenchKit
@testable import Flows

/// Small real runs of the fault scenarios: what each fault must and must not do.
@Suite(.timeLimit(.minutes(2)))
struct FaultScenarioTests {
    private func run(
        _ names: [String],
        strategies: [StrategySpec]? = nil,
        timeScale: Double = 0.05,
        documents: Int = 30,
        adjust: (inout FaultScenario) -> Void = { _ in },
        adjustBase: (inout ScenarioSpec) -> Void = { _ in }
    ) async throws -> [String: StrategyResult] {
        var base = FaultScenario.baseWorkload
        base.documents = documents
        adjustBase(&base)
        // Slower than the suite's 0.01, so a debug build's overhead stays small against the model's waits.
        base.timeScale = timeScale
        var faults = FaultScenario.all.filter { names.contains($0.name) }
        faults = faults.map { fault in
            var fault = fault
            if let strategies { fault.strategies = strategies }
            adjust(&fault)
            return fault
        }
        let results = try await FaultRun(base: base, faults: faults, progress: ProgressLine(enabled: false), logger: .init(label: "test")).run()
        return Dictionary(uniqueKeysWithValues: results.map { ("\($0.scenario) \($0.strategy)", $0) })
    }

    @Test func droppedWebhooksAreLostByWebhooksAloneAndSettledByReconciliation() async throws {
        let results = try await run(["drop-10pct"], strategies: [.webhook, FaultScenario.hybrid])
        let plan = FaultPlan(seed: 42, configuration: try #require(FaultScenario.all.first { $0.name == "drop-10pct" }).helpDesk)
        let dropped = (0..<30).filter { plan.deliveryFaults(forMessage: UInt64($0)).drop }.count
        #expect(dropped > 0, "the seed drops some of 30 webhooks")
        let webhook = try #require(results["drop-10pct webhook"])
        #expect(webhook.lost == dropped, "webhooks alone lose exactly the dropped ones")
        let hybrid = try #require(results["drop-10pct hybrid:10s,20s"])
        #expect(hybrid.lost == 0)
        #expect(hybrid.eventRequests >= 1, "the sweep read the feed")
        for result in results.values {
            #expect(result.doubleApplied == 0)
            #expect(result.wrongVerdicts == 0)
        }
    }

    @Test func deliveriesQueuedBehindASlowReceiverAreWaitedForNotCountedLost() async throws {
        // Four attempts in flight at most, each held by the receiver for its whole timeout (15 s of model time):
        // 40 first deliveries go out in ten waves, 150 s of model time, far beyond a fixed drain of 38 s. The rows
        // were never lost, only late; the drain waits while verdicts keep arriving.
        let results = try await run(["slow-receiver"], strategies: [.webhook], timeScale: 0.02, documents: 40, adjustBase: { base in
            base.maxConcurrentDeliveries = 4
        })
        let slow = try #require(results["slow-receiver webhook"])
        #expect(slow.lost == 0)
        #expect(slow.completed == 40)
        #expect(slow.doubleApplied == 0)
        #expect(slow.webhookAttempts >= 80, "every message was sent again after its held first attempt timed out")
    }

    @Test func duplicatesAndASlowReceiverNeverApplyATransitionTwice() async throws {
        let results = try await run(["duplicate-30pct", "slow-receiver"], strategies: [.webhook])
        let duplicate = try #require(results["duplicate-30pct webhook"])
        #expect(duplicate.lost == 0)
        #expect(duplicate.duplicatesSent > 0)
        // Every duplicate sent is suppressed; a retry after an answer that came too late on a busy machine adds to them.
        #expect(duplicate.duplicatesSuppressed >= duplicate.duplicatesSent)
        #expect(duplicate.doubleApplied == 0)
        #expect(duplicate.wrongVerdicts == 0)
        let slow = try #require(results["slow-receiver webhook"])
        #expect(slow.lost == 0)
        #expect(slow.webhookRetries >= 30, "every first answer came too late, so every message was sent again")
        #expect(slow.duplicatesSuppressed >= 30)
        #expect(slow.doubleApplied == 0)
    }

    @Test func anOutageIsBridgedByRetriesAndStatusFaultsByBackingOff() async throws {
        // In virtual time the outage covers the first 20 s of model time exactly, so every first delivery (reviews
        // take 2-5 s) meets it, whatever else the machine is doing.
        let results = try await run(["outage-5s", "status-503-5pct"], strategies: [.webhook, .pollFixed(interval: .seconds(1))]) { fault in
            if fault.receiver.outage != nil { fault.receiver.outage = ReceiverOutageWindow(start: .zero, length: .seconds(20)) }
        } adjustBase: { $0.clock = .virtual }
        let outage = try #require(results["outage-5s webhook"])
        #expect(outage.lost == 0 && outage.doubleApplied == 0 && outage.wrongVerdicts == 0)
        #expect(outage.webhookFailedAttempts >= 30, "every first delivery met the outage")
        #expect(outage.webhookRetries >= outage.webhookFailedAttempts, "every failed attempt was followed by a retry")
        let outageModel = try #require(outage.modelOnDraws)
        let measured = outage.latency.meanMilliseconds, modelled = outageModel.latencyMeanMilliseconds
        #expect(abs(measured - modelled) < 0.01 * modelled, "\(measured) ms against the retry schedule's \(modelled) ms")
        #expect(modelled > 10_000, "documents waited for the outage's end")
        let status = try #require(results["status-503-5pct poll-fixed:1s"])
        #expect(status.lost == 0)
        #expect(status.wastedRequests > 0)
        let statusModel = try #require(status.modelOnDraws)
        #expect(abs(status.requestsPerDocument - statusModel.requestsPerDocument) < 0.05 * statusModel.requestsPerDocument)
    }

    @Test func whileOurDatabaseIsUnavailableTheReceiverDefersAndTheRetriesBringEveryVerdict() async throws {
        let results = try await run(["db-unavailable-20s"]) { $0.strategies = [.webhook] } adjustBase: { $0.clock = .virtual }
        let webhook = try #require(results["db-unavailable-20s webhook"])
        #expect(webhook.lost == 0 && webhook.doubleApplied == 0 && webhook.wrongVerdicts == 0)
        #expect(webhook.submissions.failed == 0, "the window opens after the last submission")
        #expect(webhook.webhookFailedAttempts > 0, "verdicts decided in the window were answered 503")
        // Each deferred delivery came back after the receiver's Retry-After, as its own model says, document by document.
        let model = try #require(webhook.modelOnDraws)
        let modelled = webhook.perDocument.compactMap { $0.latency?.secondsValue }.reduce(0, +) / Double(webhook.perDocument.count)
        #expect(abs(modelled - model.latency.mean) < 1e-6, "\(modelled) s against \(model.latency.mean) s")
        #expect(model.latency.mean > 1, "documents waited for the database")
        #expect(abs(webhook.requestsPerDocument - model.requestsPerDocument) < 1e-9)
    }
}

