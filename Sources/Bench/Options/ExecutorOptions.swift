import ArgumentParser
import NIOCore
import NIOPosix
import ServerSupport
import Synchronization

/// Where Swift concurrency runs this process's tasks.
enum ExecutorChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// Swift's global pool, except that a virtual-clock run does all its work on one thread of its own
    /// (``SimulationThread``).
    case `default`
    /// Swift's global pool for everything, virtual-clock runs included (what the one thread is measured against).
    case pool
    /// SwiftNIO's event loops as the global executor: a handler runs on the loop of its connection, without the hops.
    case nio

    private static let nioInstalledFlag = Atomic<Bool>(false)

    /// Whether SwiftNIO's event loops are this process's global executor.
    static var nioInstalled: Bool { nioInstalledFlag.load(ordering: .acquiring) }

    /// The choice `arguments` hold (`--executor X` or `--executor=X`), `default` when none or one not known (the
    /// option itself is parsed and checked later with the command's other options).
    static func requested(by arguments: [String]) -> ExecutorChoice {
        let pairs = zip(arguments, arguments.dropFirst()).filter { $0.0 == "--executor" }.map(\.1)
        let joined = arguments.filter { $0.hasPrefix("--executor=") }.map { String($0.dropFirst("--executor=".count)) }
        return (pairs + joined).last.flatMap(ExecutorChoice.init(rawValue:)) ?? .default
    }

    /// Installs what `arguments` ask for. Called by the entry point on the main thread before any task exists.
    static func install(for arguments: [String]) {
        switch requested(by: arguments) {
        case .default: SimulationThread.install()
        case .pool: break
        case .nio: nioInstalledFlag.store(NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor(), ordering: .releasing)
        }
    }
}

/// `--executor`, on the commands whose servers run in this process.
struct ExecutorOptions: ParsableArguments {
    @Option(
        help: """
            Where tasks run: default (Swift's global pool, and a virtual-clock run on one thread of its own), pool \
            (Swift's global pool for everything) or nio (SwiftNIO's event loops, no thread hops per request).
            """
    )
    var executor: ExecutorChoice = .default

    func validate() throws {
        if executor == .nio, !ExecutorChoice.nioInstalled {
            throw ValidationError("--executor nio: SwiftNIO's event loops could not be installed as the global executor")
        }
    }
}
