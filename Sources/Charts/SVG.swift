/// A node of an SVG document: an element with attributes and children, or text. Rendering escapes every attribute
/// value and every text, so data (a strategy's name, a query plan) can never break the markup.
public struct SVGNode: Sendable, Hashable {
    public var name: String
    public var attributes: [Attribute]
    public var children: [SVGNode]
    public var text: String?

    public struct Attribute: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    public init(_ name: String, _ attributes: [(String, String)] = [], children: [SVGNode] = [], text: String? = nil) {
        self.name = name
        self.attributes = attributes.map { Attribute(name: $0.0, value: $0.1) }
        self.children = children
        self.text = text
    }

    /// The node as markup.
    public var markup: String {
        var output = ""
        write(to: &output)
        return output
    }

    private func write(to output: inout String) {
        output += "<" + name
        for attribute in attributes {
            output += " \(attribute.name)=\"\(Self.escape(attribute.value))\""
        }
        if children.isEmpty, text == nil {
            output += "/>"
            return
        }
        output += ">"
        if let text { output += Self.escape(text) }
        for child in children { child.write(to: &output) }
        output += "</\(name)>"
    }

    /// XML escaping for text and attribute values: `&`, `<`, `>` and both quotes escaped, and the control characters
    /// XML 1.0 cannot carry (all below U+0020 but tab, line feed and carriage return) dropped.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            default: if scalar.value >= 0x20 { escaped.unicodeScalars.append(scalar) }
            }
        }
        return escaped
    }

    /// A number for a coordinate: at most two decimals, no trailing zeros.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        var text = String(rounded)
        if text.contains("e") { return String(Int(rounded)) }
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
