import Foundation

/// Runs a program to its end without blocking a thread of the concurrency pool, and returns what it printed.
enum ChildProcess {
    /// - Parameters:
    ///   - executable: The program.
    ///   - arguments: Its arguments.
    ///   - environment: Variables added to this process's environment.
    /// - Returns: Its standard output; its standard error goes to ours.
    static func run(_ executable: URL, arguments: [String], environment: [String: String] = [:]) async throws -> Data {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = Pipe()
        process.standardOutput = output
        let collected = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let data = await collected.value
        guard status == 0 else {
            throw BenchError("\(executable.lastPathComponent) \(arguments.first ?? "") exited with status \(status)")
        }
        return data
    }
}
