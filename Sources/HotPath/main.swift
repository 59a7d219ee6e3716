import BenchKit
import Dispatch
import Foundation
import MallocInterposerSwift

// `HotPath PATH CAPACITY WARMUP OPERATIONS [--count-allocations]`: prepares CAPACITY operations of one hot path,
// runs WARMUP of them, then OPERATIONS more, and prints what it ran. With --count-allocations it counts the heap
// allocations of those OPERATIONS (run it with the interposer preloaded) and prints them per operation.
//
// `Bench check` runs it twice under valgrind with OPERATIONS N and 2N (the same CAPACITY, so the same preparation),
// and divides the difference in instructions by N. The entry point is synchronous, not `async`: valgrind 3.19 dies on
// the way a Swift async main parks its main thread.

struct Arguments {
    var path: HotPath
    var capacity: Int
    var warmup: Int
    var operations: Int
    var countAllocations: Bool

    init(_ arguments: [String]) throws {
        let usage = "usage: HotPath PATH CAPACITY WARMUP OPERATIONS [--count-allocations]; PATH one of \(HotPath.allCases.map(\.rawValue).joined(separator: ", "))"
        let positional = arguments.filter { !$0.hasPrefix("--") }
        guard positional.count == 4, let path = HotPath(rawValue: positional[0]), let capacity = Int(positional[1]),
              let warmup = Int(positional[2]), let operations = Int(positional[3]), warmup >= 0, operations > 0,
              warmup + operations <= capacity
        else { throw BenchError(usage + " (WARMUP + OPERATIONS at most CAPACITY)") }
        let flags = arguments.filter { $0.hasPrefix("--") }
        guard flags.allSatisfy({ $0 == "--count-allocations" }) else { throw BenchError(usage) }
        self.path = path
        self.capacity = capacity
        self.warmup = warmup
        self.operations = operations
        self.countAllocations = !flags.isEmpty
    }
}

final class Outcome: @unchecked Sendable {
    var result: Result<String, any Error> = .success("")
}

let outcome = Outcome()
let finished = DispatchSemaphore(value: 0)
Task.detached {
    do {
        let arguments = try Arguments(Array(CommandLine.arguments.dropFirst()))
        let fixture = try await HotPathFixture(path: arguments.path, capacity: arguments.capacity)
        do {
            for index in 0..<arguments.warmup { try await fixture.run(index) }
            let range = arguments.warmup..<(arguments.warmup + arguments.operations)
            var line = "path=\(arguments.path.rawValue) operations=\(arguments.operations)"
            if arguments.countAllocations {
                MallocInterposerSwift.initialize()
                MallocInterposerSwift.hook()
                for index in range { try await fixture.run(index) }
                MallocInterposerSwift.unhook()
                let statistics = MallocInterposerSwift.getStatistics()
                line += " allocations=\(statistics.mallocCount)"
            } else {
                for index in range { try await fixture.run(index) }
            }
            outcome.result = .success(line)
        } catch {
            outcome.result = .failure(error)
        }
        await fixture.close()
    } catch {
        outcome.result = .failure(error)
    }
    finished.signal()
}
finished.wait()
switch outcome.result {
case .success(let line):
    print(line)
case .failure(let error):
    FileHandle.standardError.write(Data("HotPath: \(error)\n".utf8))
    exit(1)
}
