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
        try Data("==1== Command: ./HotPath receiver 10 1 2\n==1== \n==1== I   refs:      248,675,535\n".utf8).write(to: log)
        #expect(try HotPathCounter.instructions(inLog: log) == 248_675_535)
        try Data("==1== valgrind: the 'impossible' happened\n".utf8).write(to: log)
        let error = #expect(throws: BenchError.self) { try HotPathCounter.instructions(inLog: log) }
        #expect(error?.description.contains("valgrind counted no instructions") == true)
    }

    @Test func aMissingCounterProgramIsNamed() throws {
        let counter = HotPathCounter(program: URL(fileURLWithPath: "/nonexistent/HotPath"))
        let error = #expect(throws: BenchError.self) { try counter.checkTools() }
        #expect(error?.description.contains("/nonexistent/HotPath is missing") == true)
    }

    @Test func theCountsTableHasOneRowPerPath() throws {
        let table = HotPathCounts.table([
            HotPathCount(path: "poll-304", operations: 1200, instructionsPerOperation: 100_967.4, allocationsPerOperation: 41),
        ])
        #expect(table.columns == ["path", "operations", "instructions_per_op", "allocations_per_op"])
        #expect(table.rows == [["poll-304", "1200", "100967", "41"]])
    }
}
