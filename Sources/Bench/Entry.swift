import BenchKit
import Dispatch
import Foundation

/// The program's entry: synchronous, so that `--executor nio` can install SwiftNIO's event loops as Swift
/// concurrency's global executor on the main thread before any task exists, as SwiftNIO requires; then it runs the
/// command as a task and serves the main queue, as an `async` main would. `Bench hot-path ...`, which the gate runs
/// under valgrind, takes its own synchronous entry instead (``HotPathProgram``).
@main
enum Entry {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == HotPathProgram.subcommand {
            exit(HotPathProgram.main(Array(arguments.dropFirst())))
        }
        ExecutorChoice.installRequested(by: arguments)
        Task {
            await Bench.main()
            exit(0)
        }
        dispatchMain()
    }
}
