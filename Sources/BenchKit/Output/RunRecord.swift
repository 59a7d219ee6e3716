import Foundation

/// `run.json`: what a run was and where it ran.
public struct RunRecord: Codable, Sendable {
    public struct Machine: Codable, Sendable, Hashable {
        public var cores: Int
        public var memoryBytes: UInt64
        public var os: String
        public var swift: String
        public var hostname: String

        /// This machine, read now.
        public static func current() -> Machine {
            let info = ProcessInfo.processInfo
            return Machine(
                cores: info.activeProcessorCount,
                memoryBytes: info.physicalMemory,
                os: info.operatingSystemVersionString,
                swift: swiftVersion(),
                hostname: info.hostName
            )
        }

        /// The first line of `swift --version`, or the compiler the binary was built with when no toolchain is found.
        private static func swiftVersion() -> String {
            if let line = RunRecord.run("/usr/bin/env", ["swift", "--version"])?.split(separator: "\n").first {
                return String(line)
            }
            #if compiler(>=6.3)
            return "built with Swift 6.3 or later"
            #else
            return "built with Swift before 6.3"
            #endif
        }
    }

    /// The command that produced the run.
    public var command: String
    public var seed: UInt64
    public var timeScale: Double
    /// The workload and the options of the run, as given.
    public var parameters: [String: String]
    /// `git rev-parse HEAD`, with `-dirty` when the working tree had changes; `unknown` outside a checkout.
    public var gitRevision: String
    public var startedAt: Date
    public var durationSeconds: Double
    public var machine: Machine

    public init(command: String, seed: UInt64, timeScale: Double, parameters: [String: String], startedAt: Date, durationSeconds: Double) {
        self.command = command
        self.seed = seed
        self.timeScale = timeScale
        self.parameters = parameters
        self.gitRevision = Self.gitRevision()
        self.startedAt = startedAt
        self.durationSeconds = durationSeconds
        self.machine = .current()
    }

    static func gitRevision() -> String {
        guard let revision = run("/usr/bin/env", ["git", "rev-parse", "HEAD"]) else { return "unknown" }
        let dirty = run("/usr/bin/env", ["git", "status", "--porcelain", "--untracked-files=no"]).map { !$0.isEmpty } ?? false
        return revision + (dirty ? "-dirty" : "")
    }

    fileprivate static func run(_ executable: String, _ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
