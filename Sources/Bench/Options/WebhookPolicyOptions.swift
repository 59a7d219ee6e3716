import ArgumentParser
import BenchKit
import MockHelpDesk
import SimulationSupport

/// The Help Desk's retry schedule and give-up rules, over its defaults and a vendor profile's.
struct WebhookPolicyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Delays before each webhook attempt, model time, none shorter than the one before (default Svix's: 0s,5s,5m,30m,2h,5h,10h,10h).", valueName: "delays"))
    var retrySchedule: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Disable a callback URL after this many failed attempts in a row (Hookdeck Outpost: 20); its messages can then be replayed.", valueName: "count"))
    var disableAfterFailures: Int?

    @Option(help: ArgumentHelp("Disable a callback URL that has failed, with no success, for this long (Svix: 5d).", valueName: "duration"))
    var disableAfter: String?

    @Option(help: ArgumentHelp("Pause deliveries to a callback URL once most recent attempts fail: SHARE,WINDOW,MINIMUM,PAUSE such as 70%,5m,20,5m.", valueName: "breaker"))
    var circuitBreaker: String?

    func validate() throws {
        _ = try policy()
    }

    /// The policy the options describe.
    func policy() throws -> WebhookPolicy {
        var policy = WebhookPolicy()
        do {
            policy.schedule = try retrySchedule.map { text throws(BenchError) in try RetrySchedule.parse(text, field: "--retry-schedule") }
            policy.circuitBreaker = try circuitBreaker.map { text throws(BenchError) in try CircuitBreaker.parse(text, field: "--circuit-breaker") }
        } catch {
            throw ValidationError(error.description)
        }
        if let disableAfterFailures {
            guard disableAfterFailures > 0 else { throw ValidationError("--disable-after-failures must be positive, not \(disableAfterFailures)") }
            policy.disableAfterConsecutiveFailures = disableAfterFailures
        }
        if let disableAfter {
            guard let span = try? Duration(userText: disableAfter), span > .zero else {
                throw ValidationError("--disable-after \"\(disableAfter)\" is not a positive duration with its unit, such as 5d or 30m")
            }
            policy.disableAfterFailingFor = span
        }
        return policy
    }
}
