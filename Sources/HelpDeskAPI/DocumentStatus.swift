/// Where a document's review stands. A review starts `PENDING_REVIEW` and ends, once, in `ACCEPTED` or `DECLINED`.
public enum DocumentStatus: String, Codable, Sendable, CaseIterable, Hashable {
    case pendingReview = "PENDING_REVIEW"
    case accepted = "ACCEPTED"
    case declined = "DECLINED"

    /// Whether a human has decided the review.
    public var isDecided: Bool { self != .pendingReview }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let status = DocumentStatus(rawValue: raw) else {
            let allowed = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "must be one of \(allowed), not \"\(raw.prefix(40))\""
            )
        }
        self = status
    }
}
