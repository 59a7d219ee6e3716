import Foundation

/// A PostgreSQL query plan (`EXPLAIN (FORMAT JSON)`) in one line: each node from the top, with the relation and
/// index it reads, such as `Update on document_reviews; Index Scan using document_reviews_on_document_id on
/// document_reviews` or `Update on document_reviews; Seq Scan on document_reviews`.
enum PostgresPlan {
    static func summary(ofJSON text: String) throws -> String {
        guard let document = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]],
            let plan = document.first?["Plan"] as? [String: Any]
        else {
            throw PostgresStoreError("EXPLAIN gave a plan that is not the JSON expected: \(text.prefix(120))")
        }
        var nodes: [String] = []
        var next: [String: Any]? = plan
        while let node = next {
            var words = [node["Node Type"] as? String ?? "?"]
            if let operation = node["Operation"] as? String, words[0] == "ModifyTable" { words = [operation] }
            if let index = node["Index Name"] as? String { words.append("using \(index)") }
            if let relation = node["Relation Name"] as? String { words.append("on \(relation)") }
            nodes.append(words.joined(separator: " "))
            next = (node["Plans"] as? [[String: Any]])?.first
        }
        return nodes.joined(separator: "; ")
    }
}
