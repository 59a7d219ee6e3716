import BenchKit
import Dispatch
import Foundation
import ServerSupport

/// The program's entry: synchronous, so that the global executor's hook (``SimulationThread``, or SwiftNIO's event
/// loops with `--executor nio`) is installed on the main thread before any task exists; then it runs the
/// command as a task and serves the main queue, as an `async` main would. `Bench hot-path ...`, which the gate runs
/// under valgrind, takes its own synchronous entry instead (``HotPathProgram``).
@main
enum Entry {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == HotPathProgram.subcommand {
            exit(HotPathProgram.main(Array(arguments.dropFirst())))
        }
        ExecutorChoice.install(for: arguments)
        Task {
            await SimulationThread.enabled { await Bench.main() }
            exit(0)
        }
        dispatchMain()
    }
}
