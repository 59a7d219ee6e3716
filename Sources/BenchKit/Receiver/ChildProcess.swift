import Foundation

/// Runs a program to its end without blocking a thread of the concurrency pool, and returns what it printed.
enum ChildProcess {
    /// The program `name` on the `PATH`, if there is one.
    static func find(_ name: String) -> URL? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// - Parameters:
    ///   - executable: The program.
    ///   - arguments: Its arguments.
    ///   - environment: Variables added to this process's environment.
    /// - Returns: Its standard output; its standard error goes to ours.
    static func run(_ executable: URL, arguments: [String], environment: [String: String] = [:]) async throws -> Data {
        // The output goes to a file, read once the program has ended: reading a pipe would block a thread of the
        // pool (which may be a server's event loop) for as long as the program runs.
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("async-flows-child-\(UUID().uuidString).out")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil), let output = FileHandle(forWritingAtPath: outputURL.path) else {
            throw BenchError("cannot create \(outputURL.path) for the output of \(executable.lastPathComponent)")
        }
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = output
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try? output.close()
        guard status == 0 else {
            throw BenchError("\(executable.lastPathComponent) \(arguments.first ?? "") exited with status \(status)")
        }
        return try Data(contentsOf: outputURL)
    }
}
