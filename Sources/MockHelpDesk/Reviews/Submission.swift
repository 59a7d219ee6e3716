import Foundation
import HelpDeskAPI
import ServerSupport

/// A checked `POST /document`: the body and the headers that shape its webhook and its idempotency.
struct Submission: Sendable {
    var request: SubmitDocumentRequest
    var callback: Callback?
    var idempotencyKey: String?

    var fingerprint: IdempotencyFingerprint {
        IdempotencyFingerprint(
            request: request,
            callbackURL: callback?.url.absoluteString,
            callbackStyle: callback?.style ?? .full
        )
    }

    /// Limits on metadata, the same as Stripe's.
    static let maxMetadataKeys = 50
    static let maxMetadataKeyLength = 40
    static let maxMetadataValueLength = 500
    static let maxIdempotencyKeyLength = 255

    /// Checks every field and header, answering 400 naming the first one at fault.
    static func validate(
        _ request: SubmitDocumentRequest,
        callbackURL: String?,
        callbackPayload: String?,
        idempotencyKey: String?,
        policy: CallbackPolicy
    ) throws(APIError) -> Submission {
        try validateDocumentURL(request.documentUrl)
        try validateMetadata(request.metadata)
        var style = CallbackPayloadStyle.full
        if let callbackPayload {
            guard let parsed = CallbackPayloadStyle(rawValue: callbackPayload) else {
                throw .badRequest(field: HelpDeskHeader.callbackPayload, "must be full or thin")
            }
            style = parsed
        }
        let callback = try callbackURL.map { (raw) throws(APIError) in Callback(url: try policy.validate(raw), style: style) }
        if let idempotencyKey {
            let field = HelpDeskHeader.idempotencyKey
            guard !idempotencyKey.isEmpty else { throw .badRequest(field: field, "must not be empty") }
            guard idempotencyKey.utf8.count <= maxIdempotencyKeyLength else {
                throw .badRequest(field: field, "must be at most \(maxIdempotencyKeyLength) characters")
            }
            guard idempotencyKey.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                throw .badRequest(field: field, "must be printable ASCII without spaces")
            }
        }
        return Submission(request: request, callback: callback, idempotencyKey: idempotencyKey)
    }

    private static func validateDocumentURL(_ raw: String) throws(APIError) {
        let field = "documentUrl"
        guard !raw.isEmpty else { throw .badRequest(field: field, "must not be empty") }
        guard raw.count <= CallbackPolicy.maxLength else {
            throw .badRequest(field: field, "must be at most \(CallbackPolicy.maxLength) characters")
        }
        guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host(percentEncoded: false)?.isEmpty == false
        else {
            throw .badRequest(field: field, "must be an absolute http or https URL")
        }
    }

    private static func validateMetadata(_ metadata: [String: String]?) throws(APIError) {
        guard let metadata else { return }
        guard metadata.count <= maxMetadataKeys else {
            throw .badRequest(field: "metadata", "must hold at most \(maxMetadataKeys) keys")
        }
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            guard !key.isEmpty, key.count <= maxMetadataKeyLength else {
                throw .badRequest(field: "metadata", "keys must be 1 to \(maxMetadataKeyLength) characters")
            }
            guard value.count <= maxMetadataValueLength else {
                throw .badRequest(field: "metadata.\(key)", "must be at most \(maxMetadataValueLength) characters")
            }
        }
    }
}
