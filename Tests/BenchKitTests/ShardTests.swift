import Flows
import Foundation
import MockHelpDesk
import SimulationSupport
import Testing

@testable import BenchKit

/// A run split into shards and merged again.
@Suite struct ShardTests {
    /// The strategies whose documents share nothing: each polls, waits or is called back about its own documents.
    static let independent: [StrategySpec] = [
        .webhook, .webhookThin, .pollFixed(interval: .seconds(1)), .pollBackoff(initial: .milliseconds(500), factor: 2, cap: .seconds(4)),
        .pollConditional(interval: .seconds(1)), .longPoll(wait: .seconds(2)),
    ]

    /// Shard records as the processes would write and the merge read them: through their JSON.
    static func records(_ scenario: ScenarioSpec, shards count: Int) async throws -> [ShardRecord] {
        var records: [ShardRecord] = []
        for index in 0..<count {
            let shard = try Shard(index: index, count: count)
            var record = try ShardRecord(shard: shard, arguments: [], workload: ["seed": String(scenario.seed)], documents: scenario.documents, startedAt: Date())
            record.results = try await VirtualTimeTests.run(try shard.restrict(scenario)).map(ShardRecord.Part.init)
            records.append(try JSONDecoder().decode(ShardRecord.self, from: try JSONEncoder().encode(record)))
        }
        return records
    }

    @Test(arguments: [1, 2, 3])
    func shardsMergeIntoTheWholeRunWhereDocumentsShareNothing(shards: Int) async throws {
        let scenario = VirtualTimeTests.scenario(documents: 41, network: .milliseconds(25), strategies: Self.independent)
        let whole = try await VirtualTimeTests.run(scenario)
        let records = try await Self.records(scenario, shards: shards)
        try ShardMerge.check(records.map { ("shard \($0.shard)", $0) })
        #expect(records.map { $0.results[0].counts["documents"] } == (0..<shards).map { index in (index..<41).count { ($0 - index) % shards == 0 } })
        let merged = try ShardMerge.merge(records.reversed(), scenario: scenario)
        // The stepper's steps and events are the shards' summed: an instant two shards both reach is a step of each.
        // Each shard's database is created, and each shard's app starts, on its own: some fifty statements more a shard.
        try VirtualTimeTests.expectTheSame(whole, merged, except: ["steps", "model_events", "db_statements"])
        for (one, other) in zip(whole, merged) {
            #expect((0...60 * (shards - 1)).contains(other.dbStatements - one.dbStatements), "\(one.strategy): \(one.dbStatements) statements, \(other.dbStatements) in \(shards) shards")
            if shards == 1 {
                #expect(other.stepper?.steps == one.stepper?.steps && other.stepper?.events == one.stepper?.events, "a run in one shard is the run itself")
            }
            #expect(one.perDocument == other.perDocument, "\(one.strategy): every document's latency, decision and polls")
            #expect(one.submissions.answeredNanoseconds == other.submissions.answeredNanoseconds)
            #expect(one.submissions.peakBacklog == other.submissions.peakBacklog)
        }
    }

    @Test func aSetOfShardsThatIsNotOneWholeRunIsRefused() async throws {
        let scenario = VirtualTimeTests.scenario(documents: 6, strategies: [.webhook])
        let records = try await Self.records(scenario, shards: 2)
        func refusal(_ records: [ShardRecord]) -> ShardMerge.Refusal? {
            do {
                try ShardMerge.check(records.enumerated().map { ("record \($0.offset)", $0.element) })
                return nil
            } catch {
                return error
            }
        }
        #expect(refusal(records) == nil)
        #expect(refusal([records[0]])?.description.contains("shard 1/2 of 2 is missing") == true)
        #expect(refusal([records[0], records[0], records[1]])?.description.contains("shard 0/2 is given twice") == true)
        var otherSeed = records[1]
        otherSeed.workload["seed"] = "7"
        #expect(refusal([records[0], otherSeed])?.description.contains("seed 7 against 42") == true)
        var otherBuild = records[1]
        otherBuild.build = String(repeating: "0", count: 64)
        #expect(refusal([records[0], otherBuild])?.description.contains("another build of Bench") == true)
        var failed = records[1]
        failed.failure = "the disk is full"
        let failure = refusal([records[0], failed])
        #expect(failure?.failed == true && failure?.description.contains("shard 1/2 (record 1) failed: the disk is full") == true)
        #expect(refusal([records[0]])?.failed == false)
    }

    @Test func whatDocumentsShareIsSplitOrRefused() throws {
        var scenario = VirtualTimeTests.scenario(documents: 10, strategies: [.webhook])
        scenario.maxInFlight = 5
        #expect(try (0..<2).map { try Shard(index: $0, count: 2).restrict(scenario).maxInFlight } == [3, 2])
        #expect(try (0..<3).map { try Shard(index: $0, count: 3).restrict(scenario).documentNumbers } == [[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]])
        func refused(_ change: (inout ScenarioSpec) -> Void) -> String {
            var changed = scenario
            change(&changed)
            do {
                _ = try Shard(index: 0, count: 2).restrict(changed)
                return ""
            } catch {
                return error.description
            }
        }
        #expect(refused { $0.strategies = [.sse] }.contains("sse reads the Help Desk's one event stream"))
        #expect(refused { $0.strategies = [.webhook, .hybrid(sweep: .seconds(60), staleAfter: .seconds(120))] }.contains("hybrid:60s,120s reads the Help Desk's one event feed"))
        #expect(refused { $0.strategies = [.pollEvents(interval: .seconds(1))] }.contains("event feed"))
        #expect(refused { $0.clock = .wall }.contains("virtual clock only"))
        #expect(refused { $0.faults.rateLimit = .window(100, per: .seconds(60)) }.contains("rate limit"))
        #expect(refused { $0.faults.duplicateDeliveryRatio = 0.3 }.contains("faults are drawn"))
        #expect(refused { $0.network = NetworkDelay(oneWay: .uniform(.milliseconds(10) ... .milliseconds(40))) }.contains("drawn network delay"))
        #expect(throws: BenchError.self) { try Shard(parsing: "3/2") }
        #expect(throws: BenchError.self) { try Shard(parsing: "0/0") }
        #expect(throws: BenchError.self) { try Shard(parsing: "1") }
        #expect(try Shard(parsing: "1/4") == Shard(index: 1, count: 4))
    }
}
