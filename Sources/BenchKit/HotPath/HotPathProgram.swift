import Dispatch
import Foundation

/// `Bench hot-path PATH CAPACITY WARMUP OPERATIONS`: prepares CAPACITY operations of one hot path, runs WARMUP of
/// them, then OPERATIONS more, and prints what it ran.
///
/// ``HotPathCounter`` runs it under valgrind with OPERATIONS N and 2N (the same CAPACITY, so the same preparation)
/// and divides the difference in instructions, and in heap allocations, by N. The entry is synchronous, reached
/// before the command line's own `async` entry starts anything: valgrind 3.19 dies on the way a Swift async main
/// parks its main thread, and a process that counts should start nothing it does not count.
public enum HotPathProgram {
    /// The first argument that selects this entry.
    public static let subcommand = "hot-path"

    struct Arguments {
        var path: HotPath
        var capacity: Int
        var warmup: Int
        var operations: Int

        static let usage = "usage: Bench \(subcommand) PATH CAPACITY WARMUP OPERATIONS; PATH one of \(HotPath.allCases.map(\.rawValue).joined(separator: ", "))"

        init(_ arguments: [String]) throws(BenchError) {
            guard arguments.count == 4, let path = HotPath(rawValue: arguments[0]), let capacity = Int(arguments[1]),
                  let warmup = Int(arguments[2]), let operations = Int(arguments[3]), warmup >= 0, operations > 0,
                  warmup + operations <= capacity
            else { throw BenchError(Self.usage + " (WARMUP + OPERATIONS at most CAPACITY)") }
            self.path = path
            self.capacity = capacity
            self.warmup = warmup
            self.operations = operations
        }
    }

    private final class Outcome: @unchecked Sendable {
        var result: Result<String, any Error> = .success("")
        /// The fixture, which lives as long as the process: its teardown (freeing the prepared inputs, the database
        /// pool's and the committer thread's ends) would run on whichever thread let go of it last, counted or not
        /// depending on whether it finished before the exit.
        var fixture: HotPathFixture?
    }

    /// Runs the operations `arguments` ask for on a task while this thread waits, prints what it ran, and returns
    /// the process's exit status: 0, 64 for arguments it cannot run (with the usage), or 1 for a run that failed
    /// (with the error), each error on standard error.
    public static func main(_ arguments: [String]) -> Int32 {
        let parsed: Arguments
        do {
            parsed = try Arguments(arguments)
        } catch {
            FileHandle.standardError.write(Data("Bench \(subcommand): \(error)\n".utf8))
            return 64
        }
        let outcome = Outcome()
        // Never released (see `fixture`).
        _ = Unmanaged.passRetained(outcome)
        let finished = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                let fixture = try await HotPathFixture(path: parsed.path, capacity: parsed.capacity)
                outcome.fixture = fixture
                outcome.result = .success(try await run(parsed, on: fixture))
            } catch {
                outcome.result = .failure(error)
            }
            finished.signal()
        }
        finished.wait()
        switch outcome.result {
        case .success(let line):
            print(line)
            return 0
        case .failure(let error):
            FileHandle.standardError.write(Data("Bench \(subcommand): \(error)\n".utf8))
            return 1
        }
    }

    private static func run(_ arguments: Arguments, on fixture: HotPathFixture) async throws -> String {
        do {
            for index in 0..<(arguments.warmup + arguments.operations) { try await fixture.run(index) }
        } catch {
            await fixture.close()
            throw error
        }
        await fixture.close()
        return "path=\(arguments.path.rawValue) operations=\(arguments.operations)"
    }
}
