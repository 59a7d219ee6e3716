import Flows
import Foundation

/// Where a run's strategies keep their reviews: each strategy gets a database of its own, a SQLite file in a folder
/// or a schema of its own in one PostgreSQL database (`run_<scenario>_<index>`, or the URL's schema's name in place of
/// `run`; dropped first so it starts empty).
public enum RunDatabase: Sendable, Hashable {
    case sqlite(folder: URL)
    case postgres(PostgresLocation)

    /// The store of the strategy at `index` in `scenario`, and whether it must be emptied first.
    func store(scenario: String, index: Int) -> (location: StoreLocation, schema: String?) {
        switch self {
        case .sqlite(let folder):
            return (.sqlite(path: folder.appendingPathComponent("\(scenario)-\(index).sqlite").path), nil)
        case .postgres(let location):
            let name = String(scenario.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
            // Under the URL's schema's name, when it names one, so runs given different schemas never meet.
            let prefix = location.schema == "public" ? "run" : location.schema
            return (.postgres(location), String("\(prefix)_\(name)_\(index)".prefix(63)))
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
