import Flows
import Foundation

/// Runs `body` with a fresh SQLite store in a temporary folder, removed afterwards.
func withTemporaryStore<Result>(
    indexMode: SQLiteReviewStore.IndexMode = .withIndex,
    _ body: (SQLiteReviewStore, String) async throws -> Result
) async throws -> Result {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flows-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("reviews.sqlite").path
    return try await body(try SQLiteReviewStore(path: path, indexMode: indexMode), path)
}
