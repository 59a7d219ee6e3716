import ArgumentParser
import NIOCore
import NIOPosix
import CMallocTuning

/// Starts `Bench` with SwiftNIO's event loops as Swift Concurrency's global executor, so a request's handler, its
/// database continuation and its socket writes run on the same threads instead of hopping between NIO's event
/// loops and the cooperative pool on every await (on a 2-core machine, half the receiver's CPU went to those hops).
@main
enum Entrypoint {
    static func main() async {
        // glibc hands freed memory back to the kernel as soon as an arena's top passes 128 KiB, and serves blocks over
        // 128 KiB with mmap: under load every batch of requests then pays madvise or munmap, a TLB shootdown across
        // cores and fresh page faults (a fifth of the receiver's CPU in a profile). Keep freed memory for reuse.
        async_flows_keep_freed_memory()
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await Bench.main()
    }
}

/// `swift run Bench`: webhooks versus polling, measured side by side.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "Bench",
        abstract: "Measure how an app learns the result of slow work done by an external service: webhooks or polling.",
        discussion: "Without a subcommand, runs the default suite: the strategy comparison and the DB cost sweep.",
        subcommands: [Suite.self, Run.self, Receiver.self, DBCost.self, Check.self, Serve.self, ReceiverLoad.self],
        defaultSubcommand: Suite.self
    )
}
