import Flows
import Foundation

/// Where a run's strategies keep their reviews: each strategy gets a database of its own, a SQLite file in a folder
/// or a schema of its own in one PostgreSQL database (`<scenario>_<index>`, dropped first so it starts empty).
public enum RunDatabase: Sendable, Hashable {
    case sqlite(folder: URL)
    case postgres(PostgresLocation)

    /// The store of the strategy at `index` in `scenario`, and whether it must be emptied first.
    func store(scenario: String, index: Int) -> (location: StoreLocation, schema: String?) {
        switch self {
        case .sqlite(let folder):
            return (.sqlite(path: folder.appendingPathComponent("\(scenario)-\(index).sqlite").path), nil)
        case .postgres(let location):
            let name = scenario.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }
            return (.postgres(location), "run_" + String(name) + "_\(index)")
        }
    }

    /// `sqlite` or `postgres`, for run.json.
    public var backendName: String {
        switch self {
        case .sqlite: "sqlite"
        case .postgres: "postgres"
        }
    }
}
