import Foundation

extension CSVTable {
    /// Parses RFC 4180 text: a header line, then rows; quoted fields may hold commas, quotes (doubled) and line breaks.
    public init(parsing text: String) throws(BenchError) {
        var records: [[String]] = [[]]
        var field = ""
        var quoted = false
        var iterator = Array(text).makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let character = pending {
                pending = nil
                return character
            }
            return iterator.next()
        }
        while let character = next() {
            if quoted {
                if character == "\"" {
                    if let following = next() {
                        if following == "\"" { field.append("\"") } else { quoted = false; pending = following }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty: quoted = true
            case ",":
                records[records.count - 1].append(field)
                field = ""
            case "\r\n", "\n", "\r":
                records[records.count - 1].append(field)
                field = ""
                records.append([])
            default: field.append(character)
            }
        }
        if quoted { throw BenchError("a quoted CSV field is not closed") }
        if !field.isEmpty || !(records.last?.isEmpty ?? true) { records[records.count - 1].append(field) }
        records.removeAll { $0.isEmpty }
        guard let header = records.first else { throw BenchError("the CSV text is empty") }
        self.init(columns: header)
        for (index, record) in records.dropFirst().enumerated() {
            guard record.count == header.count else {
                throw BenchError("CSV row \(index + 2) has \(record.count) fields; the header has \(header.count)")
            }
            rows.append(record)
        }
    }

    /// The rows as dictionaries keyed by column name.
    public var records: [[String: String]] {
        rows.map { Dictionary(uniqueKeysWithValues: zip(columns, $0)) }
    }
}

extension CSVTable {
    /// Reads and parses a result file; an error names the file.
    public init(contentsOf url: URL) throws(BenchError) {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw BenchError("\(url.path) cannot be read: \(error.localizedDescription)")
        }
        do {
            try self.init(parsing: text)
        } catch {
            throw BenchError("\(url.path): \(error.description)")
        }
    }

    /// A result file that a run may not have written: `nil` when it is absent.
    public static func readIfPresent(_ url: URL) throws(BenchError) -> CSVTable? {
        FileManager.default.fileExists(atPath: url.path) ? try CSVTable(contentsOf: url) : nil
    }
}

extension Dictionary where Key == String, Value == String {
    /// A column of a record (``CSVTable/records``) as a number; `nil` when absent, empty or not a number.
    func number(_ column: String) -> Double? {
        self[column].flatMap(Double.init)
    }
}
