import MockHelpDesk

/// How the Help Desk retries webhooks and when it gives up on an endpoint, where chosen explicitly: each value set
/// replaces the Help Desk's default (or a vendor profile's).
public struct WebhookPolicy: Sendable, Equatable {
    public var schedule: RetrySchedule?
    public var disableAfterConsecutiveFailures: Int?
    public var disableAfterFailingFor: Duration?
    public var circuitBreaker: CircuitBreaker?

    public init() {}

    public func apply(to delivery: inout DeliveryConfiguration) {
        if let schedule { delivery.schedule = schedule }
        if let disableAfterConsecutiveFailures { delivery.endpoints.disableAfterConsecutiveFailures = disableAfterConsecutiveFailures }
        if let disableAfterFailingFor { delivery.endpoints.disableAfterFailingFor = disableAfterFailingFor }
        if let circuitBreaker { delivery.endpoints.circuitBreaker = circuitBreaker }
    }
}

extension CircuitBreaker {
    /// Parses `SHARE,WINDOW,MINIMUM,PAUSE`, such as `70%,5m,20,5m`: pause for PAUSE once, over the last WINDOW, at least
    /// MINIMUM attempts were made and SHARE of them failed.
    public static func parse(_ text: String, field: String) throws(BenchError) -> CircuitBreaker {
        let form = "\(field) \"\(text)\" is not a breaker such as 70%,5m,20,5m (error share, window, minimum attempts, pause)"
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].hasSuffix("%"), let percent = Double(parts[0].dropLast()), percent > 0, percent <= 100,
              let window = try? Duration(userText: parts[1]), window > .zero, let minimum = Int(parts[2]), minimum > 0,
              let pause = try? Duration(userText: parts[3]), pause > .zero
        else { throw BenchError(form) }
        return CircuitBreaker(errorShare: percent / 100, window: window, minimumAttempts: minimum, pause: pause)
    }
}
