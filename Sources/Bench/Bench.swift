import ArgumentParser

/// `swift run Bench`: webhooks versus polling, measured side by side.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "Bench",
        abstract: "Measure how an app learns the result of slow work done by an external service: webhooks or polling.",
        discussion: "Without a subcommand, runs the default suite: the strategy comparison and the DB cost sweep.",
        subcommands: [Suite.self, Run.self, Sweep.self, PlanCommand.self, Outages.self, Receiver.self, Transport.self, DBCost.self, Check.self, Merge.self, Report.self, Serve.self, ReceiverLoad.self],
        defaultSubcommand: Suite.self
    )
}
