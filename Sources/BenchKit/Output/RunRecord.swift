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

    /// The harness's own cost in a run's results: the `webhook` row's latency, Help Desk decision to row
    /// committed, in wall milliseconds (its model expects 0, so all of it is the machine's).
    public struct HarnessOverhead: Codable, Sendable, Hashable {
        public var scenario: String
        public var p50WallMilliseconds: Double
        public var p99WallMilliseconds: Double

        /// The overhead measured in `results`: the first scenario's `webhook` row, if it has one.
        public static func measured(in results: [StrategyResult]) -> HarnessOverhead? {
            results.first { $0.strategy == .webhook }.map { result in
                HarnessOverhead(
                    scenario: result.scenario,
                    p50WallMilliseconds: result.wallLatencyMilliseconds(atPercentile: 50),
                    p99WallMilliseconds: result.wallLatencyMilliseconds(atPercentile: 99)
                )
            }
        }

        /// One sentence for the top of a table.
        public var summary: String {
            String(format: "Harness overhead (%@ webhook, Help Desk decision to row committed, wall): p50 %.2f ms, p99 %.2f ms.",
                   scenario, p50WallMilliseconds, p99WallMilliseconds)
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
    public var harnessOverhead: HarnessOverhead?

    public init(
        command: String,
        seed: UInt64,
        timeScale: Double,
        parameters: [String: String],
        startedAt: Date,
        durationSeconds: Double,
        harnessOverhead: HarnessOverhead? = nil
    ) {
        self.harnessOverhead = harnessOverhead
        self.command = command
        self.seed = seed
        self.timeScale = timeScale
        self.parameters = parameters
        self.gitRevision = Self.gitRevision()
        self.startedAt = startedAt
        self.durationSeconds = durationSeconds
        self.machine = .current()
    }

    /// Reads a run's `run.json`; an error names the file.
    public static func load(from url: URL) throws(BenchError) -> RunRecord {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw BenchError("\(url.path) cannot be read: \(error.localizedDescription)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(RunRecord.self, from: data)
        } catch {
            throw BenchError("\(url.path) is not a run record: \(error)")
        }
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
