import Foundation
import Testing

@testable import BenchKit

struct HotPathTests {
    @Test(arguments: HotPath.allCases)
    func everyHotPathOperationDoesWhatItsPathSays(_ path: HotPath) async throws {
        let fixture = try await HotPathFixture(path: path, capacity: 4)
        // Each operation checks its own answer (200, 304, 201) or that its decisions were applied, and throws if not.
        await #expect(throws: Never.self) { for index in 0..<4 { try await fixture.run(index) } }
        if path == .eventPage || path == .sseEvent {
            // Applied once: the same decisions again are refused by the check, not counted as work done.
            await #expect(throws: BenchError.self) { try await fixture.run(0) }
        }
        await fixture.close()
    }

    @Test func valgrindsCountIsReadFromItsLog() throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("cachegrind-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        try Data("==1== Command: ./Bench hot-path receiver 10 1 2\n==1== \n==1== I   refs:      248,675,535\n".utf8).write(to: log)
        #expect(try HotPathCounter.instructions(inLog: log) == 248_675_535)
        try Data("==1== valgrind: the 'impossible' happened\n".utf8).write(to: log)
        let error = #expect(throws: BenchError.self) { try HotPathCounter.instructions(inLog: log) }
        #expect(error?.description.contains("valgrind counted no instructions") == true)
    }

    @Test func dhatsAllocationsAreCountedWithoutTheSchedulersOwn() throws {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("dhat-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: profile) }
        try Data(#"""
            {"dhatFileVersion": 2, "mode": "heap", "tu": "instrs", "te": 1000,
             "pps": [{"tb": 232, "tbk": 40, "fs": [1, 2]}, {"tb": 64, "tbk": 7, "fs": [1, 3, 4]}, {"tb": 9, "tbk": 2, "fs": [1, 5]}],
             "ftbl": ["[root]", "0x48417B4: malloc (in vgpreload_dhat-amd64-linux.so)", "0x1: $s5Flows11GroupCommit",
                      "0x2: _dispatch_continuation_alloc_from_heap (in libdispatch.so)", "0x3: swift_task_enqueueGlobalImpl",
                      "0x4: allocate_stack (allocatestack.c:423) <- pthread_create@@GLIBC_2.34"]}
            """#.utf8).write(to: profile)
        #expect(try HotPathCounter.allocations(inProfile: profile) == 40, "dispatch's cache refills and thread stacks are left out")
        try Data("==1== valgrind: the 'impossible' happened\n".utf8).write(to: profile)
        let error = #expect(throws: BenchError.self) { try HotPathCounter.allocations(inProfile: profile) }
        #expect(error?.description.contains("DHAT counted no allocations") == true)
    }

    @Test func aMissingCounterProgramIsNamed() throws {
        let counter = HotPathCounter(program: URL(fileURLWithPath: "/nonexistent/Bench"))
        let error = #expect(throws: BenchError.self) { try counter.checkTools() }
        #expect(error?.description.contains("/nonexistent/Bench is missing") == true)
    }

    @Test func theHotPathEntryRefusesWhatItCannotRun() {
        for arguments in [[], ["receiver", "10", "5"], ["teleport", "10", "1", "2"], ["receiver", "10", "8", "8"], ["receiver", "10", "1", "0"]] {
            #expect(throws: BenchError.self, "\(arguments)") { try HotPathProgram.Arguments(arguments) }
        }
        #expect(HotPathProgram.main(["receiver", "2", "1", "5"]) == 64, "arguments it cannot run exit 64, before anything starts")
        #expect((try? HotPathProgram.Arguments(["poll-304", "10", "2", "8"]))?.operations == 8)
    }

    @Test func theCountsTableHasOneRowPerPath() throws {
        let table = HotPathCounts.table([
            HotPathCount(path: "poll-304", operations: 1200, instructionsPerOperation: 100_967.4, allocationsPerOperation: 41),
        ])
        #expect(table.columns == ["path", "operations", "instructions_per_op", "allocations_per_op"])
        #expect(table.rows == [["poll-304", "1200", "100967", "41"]])
    }
}
