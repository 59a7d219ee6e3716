import Foundation
import TestSupport
import Testing

@testable import Flows

/// `GET /metrics` on both servers: Prometheus' text format, counts that move with the traffic, 405 for any other
/// method.
@Suite(.timeLimit(.minutes(1)))
struct MetricsTests {
    /// The samples of a Prometheus text exposition: `name{labels}` → value, comments skipped.
    static func samples(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    /// The metric families that have samples but lack a `# HELP` or a `# TYPE` line, as Prometheus' linter would
    /// report them (a histogram's `_bucket`, `_sum` and `_count` samples belong to its family).
    static func familiesWithoutHelpOrType(_ text: String) -> [String] {
        let lines = text.split(separator: "\n")
        let typed = Dictionary(lines.filter { $0.hasPrefix("# TYPE ") }.map { line in
            let fields = line.split(separator: " ")
            return (String(fields[2]), String(fields[3]))
        }, uniquingKeysWith: { first, _ in first })
        let helped = Set(lines.filter { $0.hasPrefix("# HELP ") }.map { String($0.split(separator: " ")[2]) })
        var missing: Set<String> = []
        for line in lines where !line.hasPrefix("#") {
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            let family = ["_bucket", "_sum", "_count"].lazy.compactMap { suffix -> String? in
                guard name.hasSuffix(suffix) else { return nil }
                let base = String(name.dropLast(suffix.count))
                return typed[base] == "histogram" ? base : nil
            }.first ?? name
            if typed[family] == nil || !helped.contains(family) { missing.insert(family) }
        }
        return missing.sorted()
    }

    private func scrape(_ client: TestHTTPClient) async throws -> [String: Double] {
        let response = try await client.send(.GET, "/metrics")
        #expect(response.status == 200)
        #expect(response.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(Self.familiesWithoutHelpOrType(response.text) == [], "every metric has its # HELP and # TYPE lines: \(response.text)")
        return Self.samples(response.text)
    }

    @Test func bothServersCountWhatTheyDoAndServeItToPrometheus() async throws {
        try await FlowHarness.run(strategy: .webhook) { harness in
            let desk = TestHTTPClient(baseURL: harness.deskURL, client: harness.api.client)
            let before = try await scrape(desk)
            #expect(before["helpdesk_documents_submitted_total"] ?? 0 == 0)

            try await harness.submitStaggered(3)
            let pending = try await scrape(desk)
            #expect(pending["helpdesk_documents_submitted_total"] == 3)
            #expect(pending["helpdesk_reviews_pending"] == 3)
            #expect(pending[#"http_requests_total{route="POST /document",status="201"}"#] == 3)

            #expect(try await harness.runUntilAllDecided())
            let document = try #require(harness.desk.decisions.first?.documentId)
            let polled = try await desk.send(.GET, "/document/\(document)")
            _ = try await desk.send(.GET, "/document/\(document)", headers: [("If-None-Match", try #require(polled.header("ETag")))])

            let after = try await scrape(desk)
            #expect(after["helpdesk_reviews_pending"] == 0)
            #expect(after["helpdesk_webhook_messages_total"] == 3)
            #expect(after["helpdesk_webhook_attempts_total"] == 3)
            #expect(after["helpdesk_webhook_delivered_total"] == 3)
            #expect(after["helpdesk_webhook_delivery_latency_seconds_count"] == 3)
            #expect(after[#"helpdesk_status_polls_total{status="200"}"#] == 1)
            #expect(after[#"helpdesk_status_polls_total{status="304"}"#] == 1)
            let decided = (after[#"helpdesk_documents_decided_total{verdict="ACCEPTED"}"#] ?? 0) + (after[#"helpdesk_documents_decided_total{verdict="DECLINED"}"#] ?? 0)
            #expect(decided == 3)

            let app = try await scrape(harness.api)
            #expect(app[#"http_requests_total{route="POST /reviews",status="201"}"#] == 3)
            #expect(app[#"http_requests_total{route="POST /document/update",status="200"}"#] == 3)
            #expect(app[#"flows_verdicts_total{outcome="applied"}"#] == 3)
            #expect((app["flows_db_statements_total"] ?? 0) > 0)
            #expect((app["flows_db_statement_seconds_total"] ?? 0) > 0)

            // A scrape reads totals again without counting them twice.
            #expect(try await scrape(harness.api)[#"flows_verdicts_total{outcome="applied"}"#] == 3)
        }
    }

    @Test func aMetricWithoutHelpOrTypeIsFound() {
        let text = """
            # HELP good_total Good things.
            # TYPE good_total counter
            good_total 1
            # TYPE latency_seconds histogram
            latency_seconds_bucket{le="1"} 1
            latency_seconds_count 1
            # HELP untyped_total Things.
            untyped_total 2
            """
        #expect(Self.familiesWithoutHelpOrType(text) == ["latency_seconds", "untyped_total"])
    }

    @Test(arguments: ["POST", "PUT", "PATCH", "DELETE"])
    func anyOtherMethodIsRefusedWith405(method: String) async throws {
        try await FlowHarness.run(strategy: .webhook) { harness in
            for client in [harness.api, TestHTTPClient(baseURL: harness.deskURL, client: harness.api.client)] {
                let response = try await client.send(.init(rawValue: method), "/metrics")
                #expect(response.status == 405)
                #expect(response.header("Allow") == "GET")
                #expect(response.text.contains("only GET"), "\(response.text)")
            }
        }
    }
}
