import ArgumentParser

/// `Bench serve helpdesk|app`: run one side of the simulation standalone until SIGINT or SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve one side of the simulation standalone until SIGINT or SIGTERM.",
        subcommands: [ServeHelpDesk.self, ServeApp.self]
    )
}
