import Foundation

/// The JSON conventions of the contract: ISO 8601 dates, and decoding errors that name the field at fault.
public enum HelpDeskJSON {
    /// An encoder for contract types (ISO 8601 dates, sorted keys for stable bodies).
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A decoder for contract types.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    // One of each for every call: their options are fixed here, and both are safe to use from several threads.
    private static let encoder = makeEncoder()
    private static let decoder = makeDecoder()

    /// Encodes a contract value.
    public static func encode(_ value: some Encodable) throws -> Data {
        try encoder.encode(value)
    }

    /// Decodes a request body that may carry only the fields its type defines, as Stripe's API does: a misspelt
    /// optional field is refused rather than silently ignored. One pass: the fields are listed by the same decoder.
    public static func decodeStrictly<Value: Decodable & KnownFields>(_ type: Value.Type, from data: Data) throws(ContractViolation) -> Value {
        let decoded = try decode(StrictlyDecoded<Value>.self, from: data)
        if let unknown = decoded.unknownField {
            throw ContractViolation(kind: .unknownField, field: unknown, problem: "is not a field of this request")
        }
        return decoded.value
    }

    /// Decodes a contract value, turning every failure into a ``ContractViolation`` that names the field.
    public static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws(ContractViolation) -> Value {
        do {
            return try decoder.decode(type, from: data)
        } catch let error as DecodingError {
            throw ContractViolation(error)
        } catch {
            throw ContractViolation(kind: .malformedJSON, field: nil, problem: "the body is not valid JSON")
        }
    }
}

/// A value and the first (by name) of its body's fields that its type does not define.
private struct StrictlyDecoded<Value: Decodable & KnownFields>: Decodable {
    var value: Value
    var unknownField: String?

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        value = try Value(from: decoder)
        unknownField = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
            .filter { !Value.fieldNames.contains($0) }.sorted().first
    }
}
