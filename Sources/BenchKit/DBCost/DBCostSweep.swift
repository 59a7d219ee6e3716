import Flows
import Foundation
import GRDB
import SimulationSupport

/// One cell of the DB cost sweep: the receiver's update at one table size, with or without the index.
public struct DBCostCell: Sendable, Hashable {
    public var backend: String
    public var rows: Int
    public var indexed: Bool
    public var statements: Int
    public var p50Microseconds: Double
    public var p99Microseconds: Double
    public var meanMicroseconds: Double
    /// The query plan, as the backend explains it.
    public var plan: String
    /// The no-index p50 over this cell's p50 (1 for the no-index cell itself).
    public var speedup: Double

    /// Whether a plan (SQLite's `EXPLAIN QUERY PLAN` or PostgreSQL's `EXPLAIN`) finds the row through an index
    /// rather than a scan of the table.
    public static func usesIndex(plan: String) -> Bool {
        plan.contains("USING INDEX") || plan.contains("USING COVERING INDEX") || plan.contains("Index Scan") || plan.contains("Index Only Scan")
    }
}

/// Measures the receiver's `UPDATE document_reviews ... WHERE document_id = ?` (``ReceiverUpdate/sql``, the exact
/// statement the app runs) at several table sizes, first without the `document_id` index, then with it.
///
/// Each table is loaded in one transaction through one prepared statement. Each update is timed on its own with a
/// monotonic clock; the updates of a cell run in one transaction that is rolled back, so every cell sees the same
/// table. A cell runs until its time budget is spent, within a minimum and a maximum number of statements.
public struct DBCostSweep: Sendable {
    public var rows: [Int] = [1_000, 10_000, 100_000, 1_000_000]
    /// Wall time each cell may take.
    public var budgetPerCell: Duration = .milliseconds(250)
    public var minimumStatements = 20
    public var maximumStatements = 5_000
    public var seed: UInt64 = 42

    public init() {}

    /// - Parameters:
    ///   - directory: Where the database files go (removed after each size).
    ///   - progress: Called with a description of the step about to run.
    public func run(in directory: URL, progress: @Sendable (String) -> Void = { _ in }) async throws -> [DBCostCell] {
        var cells: [DBCostCell] = []
        for count in rows {
            let path = directory.appendingPathComponent("dbcost-\(count).sqlite").path
            defer {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
            progress("loading \(count) rows")
            let bare = try SQLiteReviewStore(path: path, indexMode: .withoutIndex)
            try await PendingRows.load(count, into: bare)
            progress("timing the update at \(count) rows without the index")
            let scan = try await measure(bare, rows: count, indexed: false)
            progress("timing the update at \(count) rows with the index")
            let indexed = try SQLiteReviewStore(path: path, indexMode: .withIndex)
            var search = try await measure(indexed, rows: count, indexed: true)
            search.speedup = search.p50Microseconds > 0 ? scan.p50Microseconds / search.p50Microseconds : 0
            cells.append(scan)
            cells.append(search)
        }
        return cells
    }

    private func measure(_ store: SQLiteReviewStore, rows: Int, indexed: Bool) async throws -> DBCostCell {
        let plan = try await store.receiverUpdatePlan()
        let seed = seed
        let durations = try await store.pool.writeWithoutTransaction { db -> [Duration] in
            var durations: [Duration] = []
            try db.inTransaction {
                let update = try db.makeStatement(sql: ReceiverUpdate.sql)
                var random = SeededGenerator(seed: seed, stream: "dbcost", index: UInt64(rows))
                let clock = ContinuousClock()
                let started = clock.now
                while self.continues(durations.count, since: started) {
                    let target = PendingRows.documentId(Int(random.next() % UInt64(rows)))
                    let before = clock.now
                    try update.execute(arguments: ["ACCEPTED", "2026-01-02 00:00:00.000", target, "PENDING_REVIEW"])
                    durations.append(before.duration(to: clock.now))
                }
                return .rollback
            }
            return durations
        }
        return DBCostCell(backend: store.backendName, rows: rows, indexed: indexed, durations: durations, plan: plan)
    }

    /// Whether a cell may time another statement: at least the minimum, at most the maximum, and within its budget.
    func continues(_ count: Int, since started: ContinuousClock.Instant) -> Bool {
        count < maximumStatements && (count < minimumStatements || started.duration(to: .now) < budgetPerCell)
    }
}

extension DBCostCell {
    /// A cell from its statements' durations; its speed-up is filled in once the no-index cell is known.
    init(backend: String, rows: Int, indexed: Bool, durations: [Duration], plan: String) {
        let micros = durations.map { $0.secondsValue * 1_000_000 }.sorted()
        func percentile(_ p: Double) -> Double {
            micros.isEmpty ? 0 : micros[min(micros.count - 1, Int((p / 100 * Double(micros.count)).rounded(.up)) - 1)]
        }
        self.init(
            backend: backend,
            rows: rows,
            indexed: indexed,
            statements: micros.count,
            p50Microseconds: percentile(50),
            p99Microseconds: percentile(99),
            meanMicroseconds: micros.isEmpty ? 0 : micros.reduce(0, +) / Double(micros.count),
            plan: plan,
            speedup: 1
        )
    }
}
