import ArgumentParser
import Flows
import Foundation
import HelpDeskAPI
import Hummingbird
import Logging
import SimulationSupport

/// `Bench serve app`: our app on its own, against a Help Desk at `--helpdesk`.
struct ServeApp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "app",
        abstract: "Serve our app (Flows): POST /reviews, GET /reviews, and the webhook receiver POST /document/update.",
        discussion: """
            With a webhook strategy the app registers http://HOST:PORT/document/update (or --public-url) as the \
            callback and verifies every webhook with --secret (or FLOWS_WEBHOOK_SECRET). Use the same --time-scale \
            as the Help Desk. Several instances over one PostgreSQL database each take an --instance name: they share \
            the polling through leases instead of each polling every document.
            """
    )

    @OptionGroup var server: ServerOptions

    @OptionGroup var executor: ExecutorOptions

    @Option(parsing: .unconditional, help: "Port to bind (0 picks a free one).")
    var port = 3333

    @Option(help: "The Help Desk's base URL.")
    var helpdesk = "http://127.0.0.1:8080"

    @Option(help: "The database: a SQLite file, or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME] (created and migrated if needed).")
    var db = "reviews.sqlite"

    @Flag(help: "Open the database without the document_id index.")
    var withoutIndex = false

    @Option(help: "Webhook secret shared with the Help Desk, whsec_<base64>; default: $FLOWS_WEBHOOK_SECRET.")
    var secret: String?

    @Option(help: "How to learn verdicts: webhook, webhook-thin, poll-fixed:1s, poll-backoff:0.5s,2,8s, poll-conditional:1s, long-poll:30s, poll-events:1s, hybrid:60s,120s, sse.")
    var strategy = "webhook"

    @Option(help: "Our base URL as the Help Desk should call it (default http://HOST:PORT).")
    var publicURL: String?

    @Option(help: "The HTTP client library our Help Desk client runs on.")
    var client = HelpDeskTransportKind.asyncHTTPClient

    @Option(help: "This instance's name, when several share one PostgreSQL database: each polls only the documents it holds a lease on, and one at a time reads an event feed. Keep it across restarts.")
    var instance: String?

    @Option(help: "How long an instance's lease lasts unrenewed, model time (default 30s; with --instance).", transform: DurationArgument.parse)
    var lease: DurationArgument?

    func validate() throws {
        try validatePort(port)
        _ = try location()
        guard let url = URL(string: helpdesk), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ValidationError("--helpdesk must be an http(s) URL such as http://127.0.0.1:8080")
        }
        if let instance {
            guard case .postgres = try location() else {
                throw ValidationError("--instance needs a database instances can share: --db postgres://USER@HOST:PORT/DATABASE")
            }
            guard !instance.isEmpty, instance.count <= 100 else { throw ValidationError("--instance must be a name of 1 to 100 characters") }
        } else if lease != nil {
            throw ValidationError("--lease needs --instance")
        }
        if let lease, lease.duration <= .zero { throw ValidationError("--lease must be a positive duration") }
        let spec = try parsedStrategy()
        if spec.usesWebhooks, try webhookSecret(flag: secret, environment: "FLOWS_WEBHOOK_SECRET") == nil {
            throw ValidationError("--secret (or FLOWS_WEBHOOK_SECRET) is required with the \(spec) strategy")
        }
    }

    func run() async throws {
        server.bootstrapLogging()
        let logger = Logger(label: "Flows")
        // A store that cannot be opened (an unreachable server, a file with the index opened without it) ends the
        // command with its message and exit code 1 before anything is served.
        try await location().withStore(indexMode: withoutIndex ? .withoutIndex : .withIndex, logger: logger) { store in
            try await serve(store, logger: logger)
        }
    }

    private func location() throws -> StoreLocation {
        do {
            return try StoreLocation(parsing: db)
        } catch {
            throw ValidationError(error.description)
        }
    }

    private func serve(_ store: any ReviewStore, logger: Logger) async throws {
        var configuration = ReviewAppConfiguration(
            helpDeskURL: helpdesk,
            strategy: try parsedStrategy(),
            // A polling app still serves the receiver; with no shared secret it refuses every webhook.
            webhookSecrets: [try webhookSecret(flag: secret, environment: "FLOWS_WEBHOOK_SECRET") ?? .generate()],
            publicURL: publicURL
        )
        configuration.seed = 42
        configuration.transport = client
        if let instance { configuration.sharing = InstanceSharing(instance: instance, lease: lease?.duration ?? .seconds(30)) }
        let app = ReviewApp(
            configuration: configuration,
            store: store,
            clock: SimulationClock(base: ContinuousClock(), timeScale: server.timeScale),
            logger: logger
        )
        let host = server.host
        let strategyName = configuration.strategy.description
        try await app.makeApplication(host: host, port: port) { port in
            ServerOptions.announce("Flows listening on http://\(host):\(port) (strategy \(strategyName))")
        }.runService()
    }

    private func parsedStrategy() throws -> StrategySpec {
        do {
            return try StrategySpec(parsing: strategy)
        } catch {
            throw ValidationError("--strategy: \(error.description)")
        }
    }
}
