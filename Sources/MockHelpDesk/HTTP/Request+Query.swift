import Hummingbird
import ServerSupport
import SimulationSupport

extension Request {
    /// The `wait` query parameter: seconds of model time, 0 when absent, at most `max`.
    func waitParameter(max: Duration) throws(APIError) -> Duration {
        guard let raw = uri.queryParameters.get("wait") else { return .zero }
        guard let seconds = Double(raw), seconds.isFinite, seconds >= 0, seconds <= max.secondsValue else {
            throw .badRequest(field: "wait", "must be a number of seconds from 0 to \(Int(max.secondsValue))")
        }
        return .seconds(seconds)
    }

    /// The `limit` query parameter: a whole number from 1 to `max`, `defaultValue` when absent.
    func limitParameter(default defaultValue: Int, max: Int) throws(APIError) -> Int {
        guard let raw = uri.queryParameters.get("limit") else { return defaultValue }
        guard let limit = Int(raw), (1...max).contains(limit) else {
            throw .badRequest(field: "limit", "must be a whole number from 1 to \(max)")
        }
        return limit
    }
}
