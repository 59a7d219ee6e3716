import Flows
import Foundation
import TestSupport
import Testing

@testable import BenchKit

/// Several app instances over one PostgreSQL database, sharing the work through leases, measured by real runs.
@Suite(.timeLimit(.minutes(2)), .enabled(if: TestPostgres.location != nil, Comment(rawValue: TestPostgres.unavailable ?? "")))
struct InstancesTests {
    private func scenario(_ strategies: [StrategySpec], instances: Int) -> ScenarioSpec {
        var scenario = ScenarioSpec()
        scenario.name = "instances"
        scenario.documents = 60
        scenario.arrivalRate = 40
        // Slow enough that a debug build's overhead stays small against a 1 s interval.
        scenario.timeScale = 0.25
        scenario.strategies = strategies
        scenario.instances = instances
        scenario.lease = .seconds(4)
        return scenario
    }

    private func run(_ scenario: ScenarioSpec) async throws -> [StrategyResult] {
        let location = try #require(TestPostgres.freshSchema("fleet"))
        return try await ComparisonRun(scenario: scenario, progress: ProgressLine(enabled: false), logger: .quiet).run(database: .postgres(location))
    }

    @Test func fourInstancesShareThePollingWithoutDoublingIt() async throws {
        let results = try await run(scenario([.pollFixed(interval: .seconds(1)), .pollEvents(interval: .seconds(1))], instances: 4))
        for result in results {
            #expect(result.instances == 4)
            #expect(result.completed == 60, "\(result.strategy): \(result.completed) of 60")
            #expect(result.documentsPolledTwice == 0, "\(result.strategy)")
            #expect(result.documentsHandedOver == 0, "\(result.strategy): no instance stopped, so none hands a document over")
            #expect(result.doubleApplied == 0 && result.wrongVerdicts == 0)
            // Every instance reading the feed, or polling the others' documents, would multiply the requests.
            #expect(result.requestsRatio < 1.1, "\(result.strategy): \(result.requestsPerDocument) requests per document against \(result.model.requestsPerDocument)")
        }
    }

    @Test func aStoppedInstancesDocumentsAreTakenOverAndNothingIsLost() async throws {
        var stopped = scenario([.pollFixed(interval: .seconds(1)), .webhook], instances: 3)
        // Stopped 4 s into the run, while documents are still arriving, and back after twice the lease. In virtual
        // time, so which deliveries meet the stop does not depend on how busy the machine is.
        stopped.instanceStop = InstanceStop(at: .seconds(4), down: .seconds(8))
        stopped = stopped.inVirtualTime()
        let results = try await run(stopped)
        for result in results {
            // A submission on a connection the stopping instance closes fails, as it would behind no load balancer:
            // its caller is told, and it has no row. Every other document ends decided.
            #expect(result.completed + result.submissions.failed == 60, "\(result.strategy): \(result.completed) of 60 after the stop, \(result.submissions.failed) submissions failed (\(result.submissions.firstFailure ?? "-"))")
            #expect(result.submissions.failed <= 3)
            #expect(result.lost == 0, "\(result.strategy): \(result.lost) rows left pending")
            #expect(result.doubleApplied == 0, "\(result.strategy)")
            #expect(result.wrongVerdicts == 0)
            #expect(result.documentsPolledTwice == 0, "\(result.strategy): a document polled by two instances at once")
        }
        // The stopped instance's pending documents were polled by another one: the leases moved.
        let poller = try #require(results.first { $0.strategy == .pollFixed(interval: .seconds(1)) })
        #expect(poller.documentsHandedOver > 0, "no document was taken over from the stopped instance")
    }
}
