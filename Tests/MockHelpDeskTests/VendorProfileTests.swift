import BenchKit
import Flows
import Foundation
import HelpDeskAPI
import SimulationSupport
import Testing

@testable import MockHelpDesk

/// Each vendor profile checked on a running Help Desk: the figure it sets, as a client or receiver meets it.
@Suite(.timeLimit(.minutes(2)))
struct VendorProfileTests {
    private func at(_ seconds: Double) -> ManualClock.Instant { HelpDeskHarness.at(seconds) }

    /// The shipped table parses; a row that does not is named by the error this test reports.
    @Test func theShippedTableParses() throws {
        let profiles = try VendorProfile.table(contentsOf: VendorProfile.tableURL)
        #expect(profiles.count >= 17)
        #expect(profiles.allSatisfy { $0.readLimit != nil || $0.retrySchedule != nil || $0.webhookTimeout != nil }, "every row sets a figure")
    }

    @Test func theTableParsesAndNamesEveryVendorTheIssueAsksFor() throws {
        let names = VendorProfile.all.map(\.name)
        for name in ["zendesk-team", "zendesk-growth", "zendesk-enterprise", "zendesk-high-volume", "freshdesk-growth", "intercom", "hubspot", "stripe", "github", "shopify-standard", "shopify-plus", "slack", "svix"] {
            #expect(names.contains(name), "\(name) in vendors.txt")
        }
        let growth = try VendorProfile.named("zendesk-growth")
        #expect(growth.readLimit == .window(400, per: .seconds(60)))
        #expect(growth.feedLimit == .window(10, per: .seconds(60)))
        #expect(growth.retrySchedule == nil, "unpublished, so left to the Help Desk")
        #expect(growth.summary.contains("unpublished: webhook timeout"))
        #expect(try VendorProfile.named("shopify-standard").readLimit == RateLimit(requestsPerSecond: 2, burst: 40))
        #expect(try VendorProfile.named("svix").retrySchedule == .standard)
        #expect(try VendorProfile.named("freshdesk-pro").webhooksCountAgainstLimit == true)
    }

    /// Every row has a source: a comment line with an address between it and the blank line before its group.
    @Test func everyRowOfTheTableHasASource() throws {
        let text = try String(contentsOf: VendorProfile.tableURL, encoding: .utf8)
        var sourced = false
        var rows = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                sourced = false
            } else if line.hasPrefix("#") {
                if line.contains("https://") { sourced = true }
            } else {
                rows += 1
                #expect(sourced, "\(line.split(separator: " ").first ?? "") has no source above it")
            }
        }
        #expect(rows == VendorProfile.all.count)
    }

    /// What each vendor offers decides which strategies are its options.
    @Test func aVendorOffersTheStrategiesWhoseMechanismsItOffers() throws {
        let zendesk = try VendorProfile.named("zendesk-growth")
        #expect(zendesk.availability(of: .webhook) == .offered)
        #expect(zendesk.availability(of: .webhookThin) == .offered)
        #expect(zendesk.availability(of: .pollFixed(interval: .seconds(60))) == .offered)
        #expect(zendesk.availability(of: .pollEvents(interval: .seconds(60))) == .offered, "incremental exports are its feed")
        #expect(zendesk.availability(of: .hybrid(sweep: .seconds(60), staleAfter: .seconds(120))) == .offered)
        #expect(zendesk.availability(of: .longPoll(wait: .seconds(30))) == .notOffered([.longPoll]))
        #expect(zendesk.availability(of: .sse) == .notOffered([.stream]))
        #expect(zendesk.availability(of: .pollConditional(interval: .seconds(1))) == .unpublished([.conditional]))
        #expect(zendesk.summary.contains("whether it offers conditional reads with 304 (taken as not)"))
        let github = try VendorProfile.named("github")
        #expect(github.availability(of: .pollConditional(interval: .seconds(1))) == .offered)
        #expect(github.availability(of: .webhookThin) == .notOffered([.webhookThin]))
        #expect(try VendorProfile.named("slack").availability(of: .sse) == .offered, "Socket Mode")
        let svix = try VendorProfile.named("svix")
        #expect(svix.availability(of: .pollFixed(interval: .seconds(1))) == .notOffered([.poll]), "it sends webhooks only")
        let (offered, apart) = zendesk.split(StrategySpec.all)
        #expect(offered.map(\.description) == ["webhook", "webhook-thin", "poll-fixed:1s", "poll-backoff:500ms,2,8s", "poll-events:1s", "hybrid:60s,120s"])
        #expect(apart.map(\.strategy.description) == ["poll-conditional:1s", "long-poll:30s", "sse"])
        #expect(zendesk.notCompared(apart)?.contains("long-poll:30s (not offered by zendesk-growth: long-polls)") == true)
    }

    @Test func anUnknownVendorListsTheKnownOnes() {
        #expect(throws: BenchError.self) { try VendorProfile.named("acme") }
        do {
            _ = try VendorProfile.named("acme")
        } catch {
            #expect(error.description.contains("unknown vendor \"acme\""))
            #expect(error.description.contains("zendesk-growth"))
        }
    }

    @Test(arguments: [
        ("acme 400/m,window - ? ? no webhook extra", "line 1 (acme): 8 fields"),
        ("acme 400/m,window - ?", "line 1 (acme): 4 fields"),
        ("# a comment\n\nacme 400/x - ? ? no webhook", "line 3 (acme): read_limit \"400/x\""),
        ("acme 400/m,bucket:0 - ? ? no webhook", "line 1 (acme): read_limit"),
        ("acme ? - 0s ? no webhook", "line 1 (acme): webhook_timeout \"0s\""),
        ("acme ? - ? 0s,5q no webhook", "line 1 (acme): retry_schedule \"0s,5q\""),
        ("acme ? - ? ? maybe webhook", "line 1 (acme): webhooks_count \"maybe\""),
        ("acme ? - ? ? no webhook,pigeon", "line 1 (acme): offers \"webhook,pigeon\": \"pigeon\" is not one of webhook, webhook-thin, poll"),
        ("acme ? - ? ? no webhook,poll,webhook?", "line 1 (acme): offers \"webhook,poll,webhook?\": webhook is listed twice"),
        ("Acme ? - ? ? no webhook", "line 1 (Acme): name"),
        ("acme ? - ? ? no webhook\nacme ? - ? ? no webhook", "line 2 (acme): the name is used twice"),
        ("# nothing", "no profile"),
    ])
    func aTableThatFailsToParseNamesTheRow(text: String, message: String) {
        do {
            _ = try VendorProfile.table(text)
            Issue.record("\(text) parsed")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    /// The limit's last request passes with `X-RateLimit-Remaining: 0`, the next is answered 429 with the wait the
    /// vendor's enforcement gives: the rest of the window, or a bucket's next token.
    @Test(arguments: VendorProfile.all.filter { $0.readLimit != nil }.map(\.name))
    func theReadLimitAnswers429AtTheLimit(name: String) async throws {
        let profile = try VendorProfile.named(name)
        let limit = try #require(profile.readLimit)
        try await HelpDeskHarness.run({ profile.apply(to: &$0) }) { harness in
            let document = try await harness.submit()
            // All but the last of the limit's requests, in process (a limit can be thousands).
            for _ in 0..<(limit.burst - 1) { _ = try harness.desk.admitPolling() }
            let last = try await harness.send(.GET, "/document/\(document.documentId)")
            #expect(last.status == 200)
            #expect(last.header("X-RateLimit-Limit") == String(limit.burst))
            #expect(last.header("X-RateLimit-Remaining") == "0")
            let refused = try await harness.send(.GET, "/document/\(document.documentId)")
            #expect(refused.status == 429)
            let wait = limit.enforcement == .fixedWindow ? limit.window.secondsValue : 1 / limit.requestsPerSecond
            #expect(refused.header("Retry-After") == String(max(1, Int(wait.rounded(.up)))))
            #expect(refused.header("X-RateLimit-Remaining") == "0")
            #expect(try !refused.error.error.isEmpty)
            #expect(harness.desk.stats().faults.rateLimited == 1)
        }
    }

    /// The rate-limit headers the Help Desk sends are the ones its OpenAPI document declares, on 200 and on 429.
    @Test func theRateLimitHeadersAreTheOnesTheContractDeclares() async throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("openapi/helpdesk.openapi.json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let components = try #require(document["components"] as? [String: Any])
        let declared = try #require(components["headers"] as? [String: Any]).keys.sorted()
        #expect(declared == ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"])
        try await HelpDeskHarness.run({ $0.faults.rateLimit = .window(1, per: .seconds(60)) }) { harness in
            let document = try await harness.submit()
            let admitted = try await harness.send(.GET, "/document/\(document.documentId)")
            let refused = try await harness.send(.GET, "/document/\(document.documentId)")
            #expect((admitted.status, refused.status) == (200, 429))
            for name in declared {
                #expect(admitted.header(name) != nil, "\(name) on 200")
                #expect(refused.header(name) != nil, "\(name) on 429")
            }
            #expect(refused.header("X-RateLimit-Reset") == "60")
        }
    }

    @Test func zendesksEventFeedHasItsOwnTenAMinute() async throws {
        let profile = try VendorProfile.named("zendesk-enterprise")
        try await HelpDeskHarness.run({ profile.apply(to: &$0) }) { harness in
            for _ in 0..<10 { #expect(try await harness.send(.GET, "/events").status == 200) }
            let refused = try await harness.send(.GET, "/events")
            #expect(refused.status == 429)
            #expect(refused.header("Retry-After") == "60")
            let document = try await harness.submit()
            #expect(try await harness.send(.GET, "/document/\(document.documentId)").status == 200, "status reads are under the 700 a minute")
            harness.clock.advance(to: at(60))
            #expect(try await harness.send(.GET, "/events").status == 200, "a new window")
        }
    }

    /// A receiver that always fails gets every attempt of the schedule at its time (jitter off), then nothing.
    @Test(arguments: VendorProfile.all.filter { $0.retrySchedule != nil }.map(\.name))
    func aFailingReceiverGetsTheProfilesRetrySchedule(name: String) async throws {
        let profile = try VendorProfile.named(name)
        let schedule = try #require(profile.retrySchedule)
        try await HelpDeskHarness.run({ profile.apply(to: &$0) }) { harness in
            try await WebhookReceiver.run(clock: harness.clock, script: { _ in .status(.internalServerError) }) { receiver, url in
                _ = try await harness.submit(callback: url)
                var instant = HelpDeskHarness.reviewDelay.secondsValue
                var expected: [ManualClock.Instant] = []
                for (index, delay) in schedule.delays.enumerated() {
                    if delay > .zero || index == 0 { await harness.advance(toWhenParked: instant + delay.secondsValue) }
                    instant += delay.secondsValue
                    expected.append(at(instant))
                    _ = await receiver.request(index)
                }
                await harness.desk.waitForStats { $0.deliveries.deadLettered == 1 }
                #expect(receiver.received.map(\.receivedAt) == expected)
                #expect(harness.desk.stats().deliveries.attempts == schedule.delays.count)
            }
        }
    }

    /// A receiver that never answers fails its attempt at the profile's timeout, not before.
    @Test(arguments: VendorProfile.all.filter { $0.webhookTimeout != nil }.map(\.name))
    func aSilentReceiverTimesOutAtTheProfilesTimeout(name: String) async throws {
        let profile = try VendorProfile.named(name)
        let timeout = try #require(profile.webhookTimeout).secondsValue
        try await HelpDeskHarness.run({ profile.apply(to: &$0) }) { harness in
            try await WebhookReceiver.run(clock: harness.clock, script: { _ in .held }) { receiver, url in
                _ = try await harness.submit(callback: url)
                await harness.advance(toWhenParked: 3)
                _ = await receiver.request(0)
                // The attempt is in flight (never quiet) until its timeout's deadline, which is the only one due.
                #expect(harness.clock.pendingDeadlines.contains(at(3 + timeout)), "\(harness.clock.pendingDeadlines)")
                harness.clock.advance(to: at(3 + timeout - 0.001))
                #expect(harness.desk.stats().deliveries.timedOut == 0)
                harness.clock.advance(to: at(3 + timeout))
                await harness.desk.waitForStats { $0.deliveries.timedOut == 1 }
                receiver.releaseHeldRequests()
            }
        }
    }

    @Test func freshdeskWebhooksUseUpTheReadLimit() {
        let limit = RateLimit.window(3, per: .seconds(60))
        let gate = ReadAPIGate(rateLimit: limit, now: .start)
        gate.attemptStarted(at: .start, countsAgainstLimit: true)
        gate.attemptStarted(at: .start, countsAgainstLimit: false)
        #expect(gate.admit(at: .start)?.admitted == true)
        #expect(gate.admit(at: .start)?.admitted == true)
        #expect(gate.admit(at: .start)?.admitted == false, "one of the three went to the counted webhook")
        #expect(gate.peaks.attemptsPerSecond == 2)
        #expect(gate.peaks.readsPerMinute == 3)
    }
}
