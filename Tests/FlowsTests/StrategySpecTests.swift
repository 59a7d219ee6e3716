import Flows
import Testing

struct StrategySpecTests {
    @Test(arguments: [
        ("webhook", StrategySpec.webhook),
        ("webhook-thin", .webhookThin),
        ("poll-fixed:1s", .pollFixed(interval: .seconds(1))),
        ("poll-fixed:250ms", .pollFixed(interval: .milliseconds(250))),
        ("poll-fixed", .pollFixed(interval: .seconds(1))),
        ("poll-backoff:0.5s,2,8s", .pollBackoff(initial: .milliseconds(500), factor: 2, cap: .seconds(8))),
        ("poll-backoff:1s,1.5", .pollBackoff(initial: .seconds(1), factor: 1.5, cap: .seconds(8))),
        ("poll-conditional:2s", .pollConditional(interval: .seconds(2))),
        ("long-poll:30s", .longPoll(wait: .seconds(30))),
        ("poll-events:1s", .pollEvents(interval: .seconds(1))),
        ("hybrid:60s,120s", .hybrid(sweep: .seconds(60), staleAfter: .seconds(120))),
        ("hybrid:1m,2m", .hybrid(sweep: .seconds(60), staleAfter: .seconds(120))),
        ("sse", .sse),
    ])
    func namesParse(name: String, spec: StrategySpec) throws {
        #expect(try StrategySpec(parsing: name) == spec)
        #expect(try StrategySpec(parsing: spec.description) == spec, "the canonical name parses back")
    }

    @Test(arguments: [
        ("poll-sometimes", "unknown strategy"),
        ("", "unknown strategy"),
        ("poll-fixed:0s", "positive duration"),
        ("poll-fixed:-1s", "\"-1s\" is negative"),
        ("poll-fixed:soon", "\"soon\" is not a duration"),
        ("poll-fixed:1", "the interval: \"1\" has no unit: give one, such as 1s or 1m (poll-fixed:INTERVAL)"),
        ("hybrid:60,120s", "\"60\" has no unit"),
        ("poll-fixed:1s,2s", "too many parameters"),
        ("webhook:1s", "too many parameters"),
        ("poll-backoff:1s,0.5,8s", "factor"),
        ("poll-backoff:10s,2,8s", "cap"),
        ("hybrid:60s,", "a duration is missing"),
        ("sse:1s", "too many parameters"),
    ])
    func badNamesSayWhatIsWrong(name: String, problem: String) {
        let error = #expect(throws: StrategySpecError.self) { try StrategySpec(parsing: name) }
        #expect(error?.description.contains(problem) == true, "\(error?.description ?? "")")
    }

    @Test func everyRegisteredStrategyDeclaresItselfWhole() throws {
        let workload = ModelWorkload(reviewDelay: .seconds(2) ... .seconds(5), documents: 100, window: .seconds(100), seed: 1)
        #expect(Set(StrategySpec.registry.map(\.name)).count == StrategySpec.registry.count, "no two share a name")
        for entry in StrategySpec.registry {
            #expect(entry.usage.hasPrefix(entry.name), "\(entry.name): its usage starts with its name")
            #expect(!entry.summary.isEmpty)
            #expect(try StrategySpec(parsing: entry.name) == entry.standard, "\(entry.name): no parameters means the defaults")
            #expect(try StrategySpec(parsing: entry.standard.description) == entry.standard)
            let model = entry.standard.model(workload)
            // The submission, and at least one request per document, or a share of one stream held for all of them.
            let least = entry.standard == .sse ? 1 + 1 / Double(workload.documents) : 2
            #expect(model.requestsPerDocument >= least && model.requestsPerDocument.isFinite, "\(entry.name): the submission and its learning requests")
            #expect(model.latency.mean.isFinite && model.latency.mean >= 0)
            #expect(entry.standard.longestInterval > .zero)
        }
    }

    @Test func aListSplitsAtEveryRegisteredName() throws {
        let specs = try StrategySpec.parseList("webhook,poll-backoff:0.5s,2,8s,webhook-thin,hybrid:10s,20s")
        #expect(specs.map(\.description) == ["webhook", "poll-backoff:500ms,2,8s", "webhook-thin", "hybrid:10s,20s"])
    }

    @Test func everyDefaultStrategyHasADistinctName() {
        #expect(Set(StrategySpec.all.map(\.description)).count == StrategySpec.registry.count)
        #expect(StrategySpec.all.filter(\.usesWebhooks).map(\.description) == ["webhook", "webhook-thin", "hybrid:60s,120s"])
    }
}
