/// A body that does not match the contract, with the field to blame: the basis of every 400/422 answer.
public struct ContractViolation: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// Not JSON at all (or empty).
        case malformedJSON = "malformed_json"
        /// A required field is absent.
        case missingField = "missing_field"
        /// A field holds the wrong JSON type, or null.
        case wrongType = "wrong_type"
        /// A field has the right type but a value the contract does not allow.
        case invalidValue = "invalid_value"
        /// A request carries a field the contract does not define.
        case unknownField = "unknown_field"
    }

    public var kind: Kind
    /// Dotted path of the field (`metadata.team`, `events[2].documentStatus`); `nil` for the body as a whole.
    public var field: String?
    /// What is wrong, in words.
    public var problem: String

    public init(kind: Kind, field: String?, problem: String) {
        self.kind = kind
        self.field = field
        self.problem = problem
    }

    /// Classifies a decoding failure.
    public init(_ error: DecodingError) {
        switch error {
        case .keyNotFound(let key, let context):
            self.init(kind: .missingField, field: Self.path(context.codingPath + [key]), problem: "is required")
        case .typeMismatch(let type, let context):
            let field = Self.path(context.codingPath)
            let problem = field == nil ? "the body must be a JSON object" : "must be \(Self.jsonTypeName(type))"
            self.init(kind: .wrongType, field: field, problem: problem)
        case .valueNotFound(let type, let context):
            self.init(kind: .wrongType, field: Self.path(context.codingPath), problem: "must be \(Self.jsonTypeName(type)), not null")
        case .dataCorrupted(let context):
            if let field = Self.path(context.codingPath) {
                self.init(kind: .invalidValue, field: field, problem: context.debugDescription)
            } else {
                self.init(kind: .malformedJSON, field: nil, problem: "the body is not valid JSON")
            }
        @unknown default:
            self.init(kind: .malformedJSON, field: nil, problem: "the body could not be decoded")
        }
    }

    public var description: String {
        field.map { "\($0): \(problem)" } ?? problem
    }

    private static func path(_ codingPath: [any CodingKey]) -> String? {
        guard !codingPath.isEmpty else { return nil }
        var path = ""
        for key in codingPath {
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path += path.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return path
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type, is DocumentStatus.Type: "a string"
        case is Int.Type, is Int64.Type, is UInt64.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "a boolean"
        case is [String: String].Type: "an object of strings"
        default: String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
