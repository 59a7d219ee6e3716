import ArgumentParser
import BenchKit
import Flows
import Foundation
import Logging

/// `Bench dbcost`: the receiver's update by table size, with and without the index.
struct DBCost: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dbcost",
        abstract: "Time the receiver's UPDATE ... WHERE document_id = ? by table size, with and without the document_id index."
    )

    @Option(help: "Comma-separated table sizes.")
    var rows = "1000,10000,100000,1000000"

    @Option(parsing: .unconditional, help: "Statements per cell (default: as many as fit in 0.25 s, at least 20).")
    var statements: Int?

    @Option(help: "The backend: sqlite (files in a temporary folder, the default) or postgres://USER@HOST:PORT/DATABASE (a schema per table size, dropped afterwards).")
    var db: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        _ = try sizes()
        _ = try database()
        if let statements, !(1...1_000_000).contains(statements) {
            throw ValidationError("--statements must be from 1 to 1000000")
        }
    }

    func run() async throws {
        let startedAt = Date()
        var sweep = DBCostSweep()
        sweep.rows = try sizes()
        if let statements {
            sweep.minimumStatements = statements
            sweep.maximumStatements = statements
        }
        let cells = try await Self.sweep(sweep, on: try database(), progress: ProgressLine(), logger: benchLogger())
        Terminal.show(SummaryTable.dbCost(cells))
        try output.write(
            results: [],
            dbCost: cells,
            command: "Bench dbcost",
            seed: sweep.seed,
            timeScale: 1,
            parameters: Self.describe(sweep),
            startedAt: startedAt
        )
    }

    private func sizes() throws -> [Int] {
        guard let sizes = integerList(rows, in: 1...10_000_000) else {
            throw ValidationError("--rows must be a comma-separated list of table sizes from 1 to 10000000, such as 1000,10000")
        }
        return sizes
    }

    /// `--db`: `nil` for SQLite, or the PostgreSQL database.
    private func database() throws -> RunDatabase? {
        guard let db, db != "sqlite" else { return nil }
        do {
            guard case .postgres(let location) = try StoreLocation(parsing: db) else {
                throw ValidationError("--db must be sqlite or a postgres:// URL")
            }
            return .postgres(location)
        } catch let error as StoreLocationError {
            throw ValidationError(error.description)
        }
    }

    /// The sweep on SQLite (files in a temporary folder) or on the PostgreSQL database of `database`.
    static func sweep(_ sweep: DBCostSweep, on database: RunDatabase?, progress: ProgressLine, logger: Logger) async throws -> [DBCostCell] {
        if case .postgres(let location) = database {
            let cells = try await sweep.run(postgres: location, logger: logger) { progress.update("dbcost: \($0)") }
            progress.finish("dbcost: \(cells.count) cells measured on PostgreSQL")
            return cells
        }
        return try await Self.sweep(sweep, progress: progress)
    }

    static func sweep(_ sweep: DBCostSweep, progress: ProgressLine) async throws -> [DBCostCell] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("async-flows-dbcost-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let cells = try await sweep.run(in: folder) { progress.update("dbcost: \($0)") }
        progress.finish("dbcost: \(cells.count) cells measured")
        return cells
    }

    static func describe(_ sweep: DBCostSweep) -> [String: String] {
        [
            "dbcost_rows": sweep.rows.map(String.init).joined(separator: ","),
            "dbcost_statements": "\(sweep.minimumStatements)...\(sweep.maximumStatements) within \(sweep.budgetPerCell.compactDescription) per cell",
        ]
    }
}

import SimulationSupport
