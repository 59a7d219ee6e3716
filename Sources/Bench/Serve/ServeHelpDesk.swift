import ArgumentParser
import BenchKit
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
            Without --secret (or HELPDESK_WEBHOOK_SECRET) a new webhook secret is generated and printed once to \
            stderr. Callback URLs must be loopback unless their host is added with --allow-callback-host.
            """
    )

    @OptionGroup var server: ServerOptions

    @OptionGroup var executor: ExecutorOptions

    @Option(parsing: .unconditional, help: "Port to bind (0 picks a free one).")
    var port = 8080

    @Option(parsing: .unconditional, help: "Seed of every random draw (review delays, verdicts, faults, jitter).")
    var seed: UInt64 = 42

    @Option(help: "Webhook signing secret, whsec_<base64>; default: $HELPDESK_WEBHOOK_SECRET, else a new one.")
    var secret: String?

    @Option(help: "Also allow webhooks to this host (repeatable); loopback is always allowed.")
    var allowCallbackHost: [String] = []

    @OptionGroup var reviewDelay: ReviewDelayOptions

    @Option(parsing: .unconditional, help: "Probability that a review is ACCEPTED.")
    var acceptRatio = 0.7

    @OptionGroup var vendor: VendorOption

    @OptionGroup var webhooks: WebhookPolicyOptions

    func validate() throws {
        try validatePort(port)
        _ = try makeConfiguration()
        _ = try webhookSecret(flag: secret, environment: "HELPDESK_WEBHOOK_SECRET")
    }

    func run() async throws {
        server.bootstrapLogging()
        let secret = try webhookSecret(flag: secret, environment: "HELPDESK_WEBHOOK_SECRET") ?? {
            let generated = WebhookSecret.generate()
            ServerOptions.announce("webhook secret (shown once): \(generated.encoded)")
            return generated
        }()
        let desk = try MockHelpDesk(
            configuration: try makeConfiguration(),
            secret: secret,
            clock: SimulationClock(base: ContinuousClock(), timeScale: server.timeScale),
            logger: Logger(label: "MockHelpDesk")
        )
        let host = server.host
        let app = desk.makeApplication(host: host, port: port) { port in
            ServerOptions.announce("MockHelpDesk listening on http://\(host):\(port)")
        }
        try await app.runService()
    }

    private func makeConfiguration() throws -> HelpDeskConfiguration {
        var configuration = HelpDeskConfiguration()
        configuration.seed = seed
        if let delay = try reviewDelay.distribution() { configuration.reviewDelay = delay }
        configuration.acceptRatio = acceptRatio
        configuration.callbackPolicy = CallbackPolicy(allowedHosts: Set(allowCallbackHost))
        if let profile = try vendor.profile() {
            profile.apply(to: &configuration)
            ServerOptions.announce(profile.summary)
        }
        try webhooks.policy().apply(to: &configuration.delivery)
        do {
            try configuration.validate()
        } catch {
            throw ValidationError(error.description)
        }
        return configuration
    }
}
