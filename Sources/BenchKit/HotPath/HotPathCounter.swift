import Foundation

/// Counts what each hot path costs per operation, by running the `HotPath` program: instructions under valgrind
/// (two runs of N and 2N operations after the same preparation and warm-up; the difference over N leaves out the
/// program's start and the preparation), heap allocations natively through the malloc interposer over 4N operations.
///
/// valgrind 3.19 cannot read the DWARF 5 debug information Swift writes, so it runs copies of the program and its
/// interposer library with the debug information stripped (the code is the same bytes).
public struct HotPathCounter: Sendable {
    /// Operations in the shorter counted run, per path: about 100 million instructions of difference (150 million for
    /// the feed page, whose preparation runs the Help Desk's scheduler), against up to a million of run-to-run noise
    /// in the preparation (the threads' scheduling).
    static let operations: [HotPath: Int] = [
        .receiver: 150, .poll200: 800, .poll304: 1000, .submission: 400, .feedPage: 300, .eventPage: 30, .sseEvent: 120,
    ]

    public let program: URL
    public let paths: [HotPath]

    /// - Parameter program: The `HotPath` executable (built beside `Bench`).
    public init(program: URL, paths: [HotPath] = HotPath.allCases) {
        self.program = program
        self.paths = paths
    }

    /// The `HotPath` executable beside this one.
    public static var besideThisProgram: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("HotPath")
    }

    /// The program, valgrind and strip, or an error naming what is missing: a gate whose counter cannot run fails.
    @discardableResult
    public func checkTools() throws(BenchError) -> (valgrind: URL, strip: URL) {
        guard FileManager.default.isExecutableFile(atPath: program.path) else {
            throw BenchError("the hot-path counter \(program.path) is missing: build it with `swift build -c release --product HotPath` (the gate's counted figures need it)")
        }
        return (try Self.tool("valgrind", package: "valgrind"), try Self.tool("strip", package: "binutils"))
    }

    /// Counts every path, two programs at a time.
    public func count(progress: ProgressLine) async throws -> [HotPathCount] {
        let (valgrind, strip) = try checkTools()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hot-path-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var copies: [URL] = []
        let library = program.deletingLastPathComponent().appendingPathComponent("libMallocInterposerSwift.so")
        for file in [program, library] where FileManager.default.fileExists(atPath: file.path) {
            let copy = folder.appendingPathComponent(file.lastPathComponent)
            try FileManager.default.copyItem(at: file, to: copy)
            copies.append(copy)
        }
        _ = try await ChildProcess.run(strip, arguments: ["--strip-debug"] + copies.map(\.path))
        let stripped = folder.appendingPathComponent(program.lastPathComponent)

        var counts: [HotPathCount] = []
        var pending = paths[...]
        try await withThrowingTaskGroup(of: HotPathCount.self) { group in
            func start() {
                guard let path = pending.popFirst() else { return }
                group.addTask { try await count(path, stripped: stripped, valgrind: valgrind, folder: folder) }
            }
            start()
            start()
            while let count = try await group.next() {
                counts.append(count)
                progress.update("hot paths: \(counts.map(\.path).joined(separator: ", ")) counted")
                start()
            }
        }
        progress.finish("hot paths: \(counts.count) counted")
        return paths.compactMap { path in counts.first { $0.path == path.rawValue } }
    }

    /// Hashing with one fixed seed: Swift seeds its hashing per process, so the probes and resizes of every
    /// dictionary and set on a path, and with them its instruction count, would differ from run to run.
    static let environment = ["SWIFT_DETERMINISTIC_HASHING": "1"]

    private func count(_ path: HotPath, stripped: URL, valgrind: URL, folder: URL) async throws -> HotPathCount {
        let operations = Self.operations[path] ?? 100
        let warmup = max(10, operations / 4)
        let capacity = warmup + 4 * operations
        var instructions: [Int] = []
        for run in [operations, 2 * operations] {
            let log = folder.appendingPathComponent("\(path.rawValue)-\(run).log")
            _ = try await ChildProcess.run(valgrind, arguments: [
                "--tool=cachegrind", "--cache-sim=no", "--branch-sim=no", "--cachegrind-out-file=/dev/null", "--log-file=\(log.path)",
                stripped.path, path.rawValue, String(capacity), String(warmup), String(run),
            ], environment: Self.environment)
            instructions.append(try Self.instructions(inLog: log))
        }
        let output = try await ChildProcess.run(
            program, arguments: [path.rawValue, String(capacity), String(warmup), String(4 * operations), "--count-allocations"],
            environment: Self.environment
        )
        let line = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let field = line.split(separator: " ").first(where: { $0.hasPrefix("allocations=") }), let allocations = Int(field.dropFirst("allocations=".count)) else {
            throw BenchError("HotPath \(path.rawValue) printed no allocation count: \(line)")
        }
        return HotPathCount(
            path: path.rawValue,
            operations: 2 * operations,
            instructionsPerOperation: Double(instructions[1] - instructions[0]) / Double(operations),
            allocationsPerOperation: Double(allocations) / Double(4 * operations)
        )
    }

    /// The `I refs` total of a cachegrind log.
    static func instructions(inLog log: URL) throws -> Int {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard let line = text.split(separator: "\n").first(where: { $0.contains("I   refs:") }),
              let count = Int(line.split(separator: ":").last?.filter(\.isNumber) ?? "")
        else {
            throw BenchError("valgrind counted no instructions (its log \(log.lastPathComponent) says: \(text.suffix(400)))")
        }
        return count
    }

    private static func tool(_ name: String, package: String) throws(BenchError) -> URL {
        if let found = ChildProcess.find(name) { return found }
        throw BenchError("\(name) is not installed (apt-get install \(package)): the gate counts the hot paths' instructions with it")
    }
}
