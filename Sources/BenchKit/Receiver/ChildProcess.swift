import Foundation

/// Runs a program to its end without blocking a thread of the concurrency pool.
public enum ChildProcess {
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
        let status = try await terminationStatus(of: process)
        try? output.close()
        guard status == 0 else {
            throw BenchError("\(executable.lastPathComponent) \(arguments.first ?? "") exited with status \(status)")
        }
        return try Data(contentsOf: outputURL)
    }

    /// Runs `executable` with `arguments`, its standard output and error both to the file `log`.
    /// - Returns: Its exit status.
    public static func run(_ executable: URL, arguments: [String], log: URL) async throws -> Int32 {
        guard FileManager.default.createFile(atPath: log.path, contents: nil), let handle = FileHandle(forWritingAtPath: log.path) else {
            throw BenchError("cannot create \(log.path) for the output of \(executable.lastPathComponent)")
        }
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        return try await terminationStatus(of: process)
    }

    /// Starts `process` and waits for it to end, without holding a thread.
    private static func terminationStatus(of process: Process) async throws -> Int32 {
        try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }
}
