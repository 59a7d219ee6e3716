import Dispatch
import Foundation

/// The program's entry: synchronous, so that `--executor nio` can install SwiftNIO's event loops as Swift
/// concurrency's global executor on the main thread before any task exists, as SwiftNIO requires; then it runs the
/// command as a task and serves the main queue, as an `async` main would.
@main
enum Entry {
    static func main() {
        ExecutorChoice.installRequested(by: Array(CommandLine.arguments.dropFirst()))
        Task {
            await Bench.main()
            exit(0)
        }
        dispatchMain()
    }
}
