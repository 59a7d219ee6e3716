import ArgumentParser
import NIOCore
import NIOPosix
import Synchronization

/// Where Swift concurrency runs this process's tasks.
enum ExecutorChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// Swift's own global pool: a request handler runs there and hops to and from SwiftNIO's event loop for its I/O.
    case `default`
    /// SwiftNIO's event loops as the global executor: a handler runs on the loop of its connection, without the hops.
    case nio

    private static let installed = Atomic<Bool>(false)

    /// Whether SwiftNIO's event loops are this process's global executor.
    static var nioInstalled: Bool { installed.load(ordering: .acquiring) }

    /// Installs SwiftNIO's event loops as the global executor when `arguments` hold `--executor nio` (or
    /// `--executor=nio`). Called by the entry point on the main thread before any task exists; the option itself is
    /// parsed and checked later with the command's other options.
    static func installRequested(by arguments: [String]) {
        let requested = zip(arguments, arguments.dropFirst()).contains { $0 == ("--executor", "nio") } || arguments.contains("--executor=nio")
        guard requested else { return }
        installed.store(NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor(), ordering: .releasing)
    }
}

/// `--executor`, on the commands whose servers run in this process.
struct ExecutorOptions: ParsableArguments {
    @Option(help: "Where tasks run: default (Swift's global pool) or nio (SwiftNIO's event loops, no thread hops per request).")
    var executor: ExecutorChoice = .default

    func validate() throws {
        if executor == .nio, !ExecutorChoice.nioInstalled {
            throw ValidationError("--executor nio: SwiftNIO's event loops could not be installed as the global executor")
        }
    }
}
