import Foundation
import HelpDeskAPI
import TestSupport
import Testing

@testable import MockHelpDesk

/// `GET /events/stream` against `openapi/helpdesk.openapi.json`: every event of a live stream, parsed as a client
/// hands it over (`event`, `id`, `data`, `retry`), is valid against the document's `itemSchema`, and each
/// decision's `data` against its `contentSchema`. CI checks the same with the `jsonschema` library
/// (`scripts/standalone_check.py`).
@Suite(.timeLimit(.minutes(1)))
struct StreamContractTests {
    static var document: [String: Any] {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("openapi/helpdesk.openapi.json")
        let data = (try? Data(contentsOf: url)) ?? Data()
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    static var itemSchema: [String: Any] {
        let paths = document["paths"] as? [String: Any]
        let stream = (paths?["/events/stream"] as? [String: Any])?["get"] as? [String: Any]
        let ok = (stream?["responses"] as? [String: Any])?["200"] as? [String: Any]
        let media = (ok?["content"] as? [String: Any])?["text/event-stream"] as? [String: Any]
        return media?["itemSchema"] as? [String: Any] ?? [:]
    }

    /// The events of a `text/event-stream` body as a parser hands them over: the fields of each block of lines
    /// ended by a blank line, `data` lines joined by line feeds, `retry` as a number; comments skipped.
    static func events(in text: String) -> [[String: Any]] {
        var events: [[String: Any]] = []
        var fields: [String: Any] = [:]
        var data: [String] = []
        for line in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty {
                if !data.isEmpty { fields["data"] = data.joined(separator: "\n") }
                if !fields.isEmpty { events.append(fields) }
                (fields, data) = ([:], [])
                continue
            }
            guard !line.hasPrefix(":") else { continue }
            let name = line.prefix { $0 != ":" }
            var value = line.dropFirst(name.count).dropFirst()
            if value.hasPrefix(" ") { value = value.dropFirst() }
            switch name {
            case "data": data.append(String(value))
            case "event", "id": fields[String(name)] = String(value)
            case "retry": if let number = Int(value), value.allSatisfy(\.isNumber) { fields["retry"] = number }
            default: break
            }
        }
        return events
    }

    @Test func everyEventOfALiveStreamFollowsTheDocumentsItemSchema() async throws {
        #expect(!Self.itemSchema.isEmpty, "the document gives the stream's events a schema")
        try await HelpDeskHarness.run { harness in
            for second in 0..<3 {
                harness.clock.advance(to: HelpDeskHarness.at(Double(second)))
                _ = try await harness.submit()
            }
            let stream = try await StreamReader.open(harness.client, harness.baseURL + "/events/stream")
            // Each review takes three model seconds: the documents are decided at 3, 4 and 5.
            await harness.decide(at: 3)
            await harness.decide(at: 4, count: 2)
            await harness.decide(at: 5, count: 3)
            for _ in 0..<3 { _ = try await stream.next() }

            let events = Self.events(in: stream.text)
            #expect(events.count == 4, "a retry hint and three decisions")
            let validator = SchemaSubset(document: Self.document)
            for event in events {
                #expect(validator.violations(event, Self.itemSchema).isEmpty, "\(event): \(validator.violations(event, Self.itemSchema))")
            }
            #expect(events.first?["retry"] as? Int == 1000)
            #expect(events.dropFirst().allSatisfy { $0["event"] as? String == ServerSentEvent.decisionType })
        }
    }

    @Test func theSchemaRefusesWhatTheStreamMustNotSend() throws {
        let validator = SchemaSubset(document: Self.document)
        let data = #"{"agentId":"agent_1","documentId":"doc_1","documentStatus":"ACCEPTED","id":"evt_1","occurredAt":"2026-01-01T00:00:03Z","version":2}"#
        #expect(validator.violations(["event": "document.decided", "id": "evt_1", "data": data], Self.itemSchema).isEmpty)
        for bad: [String: Any] in [
            ["event": "document.decided", "id": "42", "data": data],
            ["event": "document.updated", "id": "evt_1", "data": data],
            ["event": "document.decided", "id": "evt_1"],
            ["event": "document.decided", "id": "evt_1", "data": data.replacingOccurrences(of: "ACCEPTED", with: "MAYBE")],
            ["event": "document.decided", "id": "evt_1", "data": "not json"],
            ["retry": -1],
            ["retry": 1000, "data": "x"],
        ] {
            #expect(!validator.violations(bad, Self.itemSchema).isEmpty, "\(bad) is refused")
        }
    }
}

/// The JSON Schema keywords the Help Desk's document uses for its stream events, evaluated: `$ref` (within the
/// document), `oneOf`, `type`, `required`, `properties`, `additionalProperties: false`, `const`, `enum`, `pattern`,
/// `minimum`, and `contentMediaType: application/json` with `contentSchema`. Any other keyword is reported, so the
/// subset cannot silently pass a schema it does not understand.
struct SchemaSubset {
    let document: [String: Any]

    private static let understood: Set<String> = [
        "$ref", "oneOf", "type", "required", "properties", "additionalProperties", "const", "enum", "pattern", "minimum",
        "contentMediaType", "contentSchema", "description", "format", "example", "examples",
    ]

    func violations(_ value: Any, _ schema: [String: Any], at path: String = "$") -> [String] {
        var found = schema.keys.filter { !Self.understood.contains($0) }.map { "\(path): keyword \($0) is not evaluated" }
        if let reference = schema["$ref"] as? String {
            guard let target = resolve(reference) else { return found + ["\(path): \(reference) resolves to nothing"] }
            found += violations(value, target, at: path)
        }
        if let choices = schema["oneOf"] as? [[String: Any]] {
            let matching = choices.filter { violations(value, $0, at: path).isEmpty }.count
            if matching != 1 { found.append("\(path): matches \(matching) of oneOf's \(choices.count) schemas") }
        }
        if let type = schema["type"] as? String, !Self.matches(value, type: type) { found.append("\(path): not \(type)") }
        if let constant = schema["const"], !Self.equal(value, constant) { found.append("\(path): not \(constant)") }
        if let choices = schema["enum"] as? [Any], !choices.contains(where: { Self.equal(value, $0) }) { found.append("\(path): not one of \(choices)") }
        if let pattern = schema["pattern"] as? String, let text = value as? String,
            text.range(of: pattern, options: .regularExpression) == nil
        {
            found.append("\(path): \(text) does not match \(pattern)")
        }
        if let minimum = schema["minimum"] as? Double, let number = (value as? NSNumber)?.doubleValue, number < minimum {
            found.append("\(path): below \(minimum)")
        }
        if let object = value as? [String: Any] {
            for name in schema["required"] as? [String] ?? [] where object[name] == nil { found.append("\(path): \(name) is missing") }
            let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
            for (name, member) in object {
                if let property = properties[name] {
                    found += violations(member, property, at: "\(path).\(name)")
                } else if schema["additionalProperties"] as? Bool == false {
                    found.append("\(path): \(name) is not allowed")
                }
            }
        }
        if schema["contentMediaType"] as? String == "application/json", let text = value as? String {
            if let content = try? JSONSerialization.jsonObject(with: Data(text.utf8)) {
                if let contentSchema = schema["contentSchema"] as? [String: Any] { found += violations(content, contentSchema, at: "\(path)<json>") }
            } else {
                found.append("\(path): not JSON")
            }
        }
        return found
    }

    private func resolve(_ reference: String) -> [String: Any]? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: Any = document
        for part in reference.dropFirst(2).split(separator: "/") {
            guard let next = (node as? [String: Any])?[String(part)] else { return nil }
            node = next
        }
        return node as? [String: Any]
    }

    private static func matches(_ value: Any, type: String) -> Bool {
        switch type {
        case "object": value is [String: Any]
        case "string": value is String
        case "array": value is [Any]
        case "integer": (value as? NSNumber).map { $0.doubleValue.rounded() == $0.doubleValue } ?? false
        case "number": value is NSNumber
        default: false
        }
    }

    private static func equal(_ value: Any, _ other: Any) -> Bool {
        if let value = value as? String, let other = other as? String { return value == other }
        if let value = value as? NSNumber, let other = other as? NSNumber { return value == other }
        return false
    }
}
