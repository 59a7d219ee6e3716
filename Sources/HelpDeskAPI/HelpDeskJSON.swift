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
    /// optional field is refused rather than silently ignored.
    public static func decodeStrictly<Value: Decodable & KnownFields>(_ type: Value.Type, from data: Data) throws(ContractViolation) -> Value {
        let value = try decode(type, from: data)
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let unknown = object.keys.filter({ !Value.fieldNames.contains($0) }).sorted().first
        {
            throw ContractViolation(kind: .unknownField, field: unknown, problem: "is not a field of this request")
        }
        return value
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
