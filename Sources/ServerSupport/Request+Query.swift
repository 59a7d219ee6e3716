import Hummingbird

extension Request {
    /// The `wait` query parameter: seconds, 0 when absent, at most `max`.
    public func waitParameter(max: Duration) throws(APIError) -> Duration {
        guard let raw = uri.queryParameters.get("wait") else { return .zero }
        let limit = Double(max.components.seconds)
        guard let seconds = Double(raw), seconds.isFinite, seconds >= 0, seconds <= limit else {
            throw .badRequest(field: "wait", "must be a number of seconds from 0 to \(Int(limit))")
        }
        return .seconds(seconds)
    }

    /// The `limit` query parameter: a whole number from 1 to `max`, `defaultValue` when absent.
    public func limitParameter(default defaultValue: Int, max: Int) throws(APIError) -> Int {
        guard let raw = uri.queryParameters.get("limit") else { return defaultValue }
        guard let limit = Int(raw), (1...max).contains(limit) else {
            throw .badRequest(field: "limit", "must be a whole number from 1 to \(max)")
        }
        return limit
    }

    /// A query parameter that must be one of an enumeration's raw values; `nil` when absent.
    public func enumParameter<Value: RawRepresentable & CaseIterable>(
        _ name: String,
        as type: Value.Type
    ) throws(APIError) -> Value? where Value.RawValue == String {
        guard let raw = uri.queryParameters.get(name) else { return nil }
        guard let value = Value(rawValue: raw) else {
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw .badRequest(field: name, "must be one of \(allowed)")
        }
        return value
    }
}
