import HelpDeskAPI
import Hummingbird
import Foundation

extension Request {
    /// Reads the whole body, refusing one over `limit` bytes with 413 before reading further.
    public func collectBody(limit: Int) async throws(APIError) -> Data {
        let tooLarge = APIError(.contentTooLarge, "the body must be at most \(limit) bytes")
        if let declared = headers.value(of: .contentLength).flatMap(Int.init), declared > limit { throw tooLarge }
        var data = Data()
        do {
            for try await buffer in body {
                guard data.count + buffer.readableBytes <= limit else { throw tooLarge }
                data.append(contentsOf: buffer.readableBytesView)
            }
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(.badRequest, "the body could not be read")
        }
        return data
    }

    /// Refuses with 415 a body not declared as `application/json` (parameters such as `charset` are allowed).
    public func requireJSONContentType() throws(APIError) {
        guard let value = headers.value(of: .contentType), Self.isJSONMediaType(value.utf8) else {
            throw APIError(.unsupportedMediaType, "the body must be sent as application/json", field: "Content-Type")
        }
    }

    /// Whether a `Content-Type` value names `application/json`, in any case, with optional spaces and parameters;
    /// compared byte by byte, as every webhook goes through it.
    static func isJSONMediaType(_ value: String.UTF8View) -> Bool {
        var bytes = value[...]
        func skipSpaces() {
            while bytes.first == UInt8(ascii: " ") || bytes.first == UInt8(ascii: "\t") { bytes = bytes.dropFirst() }
        }
        skipSpaces()
        for expected in jsonMediaType {
            guard let byte = bytes.first, (65...90).contains(byte) ? byte + 32 == expected : byte == expected else { return false }
            bytes = bytes.dropFirst()
        }
        skipSpaces()
        return bytes.isEmpty || bytes.first == UInt8(ascii: ";")
    }

    private static let jsonMediaType = Array("application/json".utf8)

    /// Reads and decodes a JSON body that may carry only the fields its type defines (400 naming any other).
    public func decodeStrictJSON<Value: Decodable & KnownFields>(_ type: Value.Type, limit: Int) async throws(APIError) -> Value {
        try requireJSONContentType()
        let data = try await collectBody(limit: limit)
        do {
            return try HelpDeskJSON.decodeStrictly(type, from: data)
        } catch {
            throw APIError(.badRequest, error.description, field: error.field)
        }
    }

    /// Reads and decodes a JSON body of the contract.
    /// - Parameters:
    ///   - type: The contract type.
    ///   - limit: Largest body accepted, in bytes (413 beyond).
    ///   - status: How to answer a violation: the Help Desk answers 400 to all; a receiver may answer 422 to a field error.
    public func decodeJSON<Value: Decodable>(
        _ type: Value.Type,
        limit: Int,
        status: (ContractViolation) -> HTTPResponse.Status = { _ in .badRequest }
    ) async throws(APIError) -> Value {
        try requireJSONContentType()
        let data = try await collectBody(limit: limit)
        do {
            return try HelpDeskJSON.decode(type, from: data)
        } catch {
            throw APIError(status(error), error.description, field: error.field)
        }
    }
}
