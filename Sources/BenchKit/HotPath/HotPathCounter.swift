import Foundation

/// Counts what each hot path costs per operation, by running `Bench hot-path` under valgrind: with cachegrind for
/// instructions and with DHAT for heap allocations, each with N and 2N operations after the same preparation and
/// warm-up, so that the difference over N leaves out the program's start and the preparation. Each instruction count
/// is the least of ``instructionRepeats`` runs.
///
/// valgrind 3.19 cannot read the DWARF 5 debug information Swift writes, so it runs a copy of the program with the
/// debug information stripped (the code is the same bytes).
public struct HotPathCounter: Sendable {
    /// Operations in the shorter counted run, per path: about 100 million instructions of difference, against up to
    /// a million of run-to-run noise in the preparation (the threads' scheduling). The feed page's preparation runs
    /// the Help Desk's scheduler and has cost up to 7 million more in a run: its 500 million of difference keep that
    /// under 1.5 % per operation.
    static let operations: [HotPath: Int] = [
        .receiver: 150, .poll200: 800, .poll304: 1000, .submission: 400, .feedPage: 1000, .eventPage: 30, .sseEvent: 120,
    ]

    public let program: URL
    public let paths: [HotPath]

    /// - Parameters:
    ///   - program: A `Bench` executable: `Bench hot-path ...` drives the paths.
    ///   - paths: The paths to count.
    public init(program: URL = HotPathCounter.thisProgram, paths: [HotPath] = HotPath.allCases) {
        self.program = program
        self.paths = paths
    }

    /// The executable of this process.
    public static var thisProgram: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    }

    /// valgrind and strip, or an error naming what is missing: a gate whose counter cannot run fails.
    @discardableResult
    public func checkTools() throws(BenchError) -> (valgrind: URL, strip: URL) {
        guard FileManager.default.isExecutableFile(atPath: program.path) else {
            throw BenchError("the hot-path counter \(program.path) is missing (the gate's counted figures run `Bench hot-path` under valgrind)")
        }
        return (try Self.tool("valgrind", package: "valgrind"), try Self.tool("strip", package: "binutils"))
    }

    /// Counts every path, two programs at a time.
    public func count(progress: ProgressLine) async throws -> [HotPathCount] {
        let (valgrind, strip) = try checkTools()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hot-path-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let stripped = folder.appendingPathComponent("Bench")
        try FileManager.default.copyItem(at: program, to: stripped)
        _ = try await ChildProcess.run(strip, arguments: ["--strip-debug", stripped.path])

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

    /// What makes a run repeatable: hashing with one fixed seed (Swift seeds its hashing per process, so the probes
    /// and resizes of every dictionary and set on a path, and with them its instruction count, would differ from run
    /// to run), and one malloc arena (with one per thread, which arena a block came from, and so when glibc
    /// consolidates its free lists, depends on which thread ran which task).
    static let environment = ["SWIFT_DETERMINISTIC_HASHING": "1", "MALLOC_ARENA_MAX": "1"]

    /// Runs counted for instructions at each number of operations, the fewest instructions kept. What the threads'
    /// scheduling adds to the preparation (a pool thread started, a wake-up more) only ever adds instructions, and
    /// rarely a lot: once in CI the feed page's preparation cost 7 million more in one run of a pair (+4.6 % per
    /// operation), against the usual half a million. The least of two runs leaves such a run out.
    static let instructionRepeats = 2

    private func count(_ path: HotPath, stripped: URL, valgrind: URL, folder: URL) async throws -> HotPathCount {
        let operations = Self.operations[path] ?? 100
        let warmup = max(10, operations / 4)
        let capacity = warmup + 4 * operations
        var instructions: [Int] = []
        var allocations: [Int] = []
        for run in [operations, 2 * operations] {
            let arguments = [stripped.path, HotPathProgram.subcommand, path.rawValue, String(capacity), String(warmup), String(run)]
            var counted: [Int] = []
            for attempt in 1...Self.instructionRepeats {
                let cachegrind = folder.appendingPathComponent("\(path.rawValue)-\(run)-\(attempt).cachegrind.log")
                _ = try await ChildProcess.run(valgrind, arguments: [
                    "--tool=cachegrind", "--cache-sim=no", "--branch-sim=no", "--cachegrind-out-file=/dev/null", "--log-file=\(cachegrind.path)",
                ] + arguments, environment: Self.environment)
                counted.append(try Self.instructions(inLog: cachegrind))
            }
            instructions.append(counted.min() ?? 0)
            let dhat = folder.appendingPathComponent("\(path.rawValue)-\(run).dhat.json")
            _ = try await ChildProcess.run(valgrind, arguments: [
                "--tool=dhat", "--dhat-out-file=\(dhat.path)", "--log-file=/dev/null",
            ] + arguments, environment: Self.environment)
            allocations.append(try Self.allocations(inProfile: dhat))
        }
        return HotPathCount(
            path: path.rawValue,
            operations: 2 * operations,
            instructionsPerOperation: Double(instructions[1] - instructions[0]) / Double(operations),
            allocationsPerOperation: Double(allocations[1] - allocations[0]) / Double(operations)
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

    /// Allocations left out of the count, by a frame of their stack: libdispatch's continuation cache refilled from
    /// the heap (a thread takes a continuation from its own cache, and the thread that runs the work item returns it
    /// to its own, so how often a cache runs dry depends on which pool thread ran what), and the stacks of the pool
    /// threads it starts. Neither depends on the code on the path.
    static let scheduledAllocationSites = ["_dispatch_continuation_alloc_from_heap", "pthread_create"]

    /// DHAT's profile (`--dhat-out-file`): every allocation site with its stack and the blocks allocated there.
    private struct DHATProfile: Decodable {
        struct Site: Decodable {
            /// Blocks allocated here.
            var tbk: Int
            /// The stack, as indexes into the frame table.
            var fs: [Int]
        }

        var pps: [Site]
        var ftbl: [String]
    }

    /// The heap allocations of a DHAT profile, those of ``scheduledAllocationSites`` left out.
    static func allocations(inProfile profile: URL) throws -> Int {
        let data = (try? Data(contentsOf: profile)) ?? Data()
        guard let decoded = try? JSONDecoder().decode(DHATProfile.self, from: data) else {
            throw BenchError("valgrind's DHAT counted no allocations (its profile \(profile.lastPathComponent) is missing or unreadable: \(String(decoding: data.prefix(200), as: UTF8.self)))")
        }
        let scheduled = Set(decoded.ftbl.indices.filter { index in
            scheduledAllocationSites.contains { decoded.ftbl[index].contains($0) }
        })
        return decoded.pps.reduce(0) { total, site in
            site.fs.contains(where: scheduled.contains) ? total : total + site.tbk
        }
    }

    private static func tool(_ name: String, package: String) throws(BenchError) -> URL {
        if let found = ChildProcess.find(name) { return found }
        throw BenchError("\(name) is not installed (apt-get install \(package)): the gate counts the hot paths' instructions with it")
    }
}
