import ArgumentParser
import Foundation
import HelpDeskAPI
import Hummingbird
import Logging
import MockHelpDesk
import SimulationSupport

/// `Bench serve helpdesk`: the simulated vendor on its own.
struct ServeHelpDesk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "helpdesk",
        abstract: "Serve the simulated Help Desk (MockHelpDesk) until SIGINT or SIGTERM.",
        discussion: """
            Without --secret (or HELPDESK_WEBHOOK_SECRET) a new webhook secret is generated and printed once to stderr.
            Callback URLs must be loopback unless their host is added with --allow-callback-host.
            """
    )

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind (0 picks a free one).")
    var port = 8080

    @Option(help: "Wall seconds per model second: 0.01 runs a 2-5 s review in 20-50 ms.")
    var timeScale = 1.0

    @Option(help: "Seed of every random draw (review delays, verdicts, faults, jitter).")
    var seed: UInt64 = 42

    @Option(help: "Webhook signing secret, whsec_<base64>; default: $HELPDESK_WEBHOOK_SECRET, else a new one.")
    var secret: String?

    @Option(help: "Also allow webhooks to this host (repeatable); loopback is always allowed.")
    var allowCallbackHost: [String] = []

    @Option(help: "Range of review delays, model time.")
    var reviewDelay = DurationRangeArgument(.seconds(2) ... .seconds(5))

    @Option(help: "Probability that a review is ACCEPTED.")
    var acceptRatio = 0.7

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        guard timeScale > 0, timeScale.isFinite else { throw ValidationError("--time-scale must be a positive number") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level \(logLevel) is not a log level") }
        _ = try makeConfiguration()
        _ = try loadSecret()
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let secret = try loadSecret() ?? {
            let generated = WebhookSecret.generate()
            FileHandle.standardError.write(Data("webhook secret (shown once): \(generated.encoded)\n".utf8))
            return generated
        }()
        let desk = try MockHelpDesk(
            configuration: try makeConfiguration(),
            secret: secret,
            clock: SimulationClock(base: ContinuousClock(), timeScale: timeScale),
            logger: Logger(label: "MockHelpDesk")
        )
        let host = self.host
        let app = desk.makeApplication(host: host, port: port) { port in
            FileHandle.standardError.write(Data("MockHelpDesk listening on http://\(host):\(port)\n".utf8))
        }
        try await app.runService()
    }

    private func makeConfiguration() throws -> HelpDeskConfiguration {
        var configuration = HelpDeskConfiguration()
        configuration.seed = seed
        configuration.reviewDelay = reviewDelay.range
        configuration.acceptRatio = acceptRatio
        configuration.callbackPolicy = CallbackPolicy(allowedHosts: Set(allowCallbackHost))
        do {
            try configuration.validate()
        } catch {
            throw ValidationError(error.description)
        }
        return configuration
    }

    private func loadSecret() throws -> WebhookSecret? {
        guard let encoded = secret ?? ProcessInfo.processInfo.environment["HELPDESK_WEBHOOK_SECRET"] else { return nil }
        do {
            return try WebhookSecret(encoded)
        } catch {
            throw ValidationError("--secret: \(error.description)")
        }
    }
}
