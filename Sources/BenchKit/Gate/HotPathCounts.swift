import Foundation

/// What one hot path costs per operation, counted rather than timed: `hotpath.csv` of a gate run.
public struct HotPathCount: Sendable, Hashable {
    /// The path's name, such as `receiver` or `poll-304`.
    public var path: String
    /// Operations in the longer of the two counted runs (the shorter ran half as many).
    public var operations: Int
    /// Instructions executed per operation (valgrind's count over both runs' difference), every thread included.
    public var instructionsPerOperation: Double?
    /// Heap allocations per operation, every thread included.
    public var allocationsPerOperation: Double

    public init(path: String, operations: Int, instructionsPerOperation: Double?, allocationsPerOperation: Double) {
        self.path = path
        self.operations = operations
        self.instructionsPerOperation = instructionsPerOperation
        self.allocationsPerOperation = allocationsPerOperation
    }
}

public enum HotPathCounts {
    public static let fileName = "hotpath.csv"

    public static func table(_ counts: [HotPathCount]) -> CSVTable {
        var table = CSVTable(columns: ["path", "operations", "instructions_per_op", "allocations_per_op"])
        for count in counts {
            table.append([
                count.path, String(count.operations), count.instructionsPerOperation.map { CSVTable.number($0, digits: 0) } ?? "",
                CSVTable.number(count.allocationsPerOperation, digits: 2),
            ])
        }
        return table
    }
}
