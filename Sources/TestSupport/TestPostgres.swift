import Flows
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL server for the tests, found once per test process: the one `FLOWS_TEST_POSTGRES_URL` names, or else
/// a throwaway cluster started with `initdb` (on the PATH, or Debian's `/usr/lib/postgresql/*/bin`) in a temporary
/// folder, listening on 127.0.0.1 only, and stopped when the process exits. As root, the cluster runs as the
/// `postgres` user (`runuser`), since PostgreSQL refuses to run as root.
///
/// Without either, ``location`` is `nil` and ``unavailable`` says how to run the PostgreSQL tests.
public enum TestPostgres {
    /// The server, or `nil` when none could be found or started.
    public static var location: PostgresLocation? { server.location }

    /// Why there is no server and how to get one; `nil` when there is one.
    public static var unavailable: String? { server.problem }

    /// A location in a schema of its own, so tests running at once never share tables.
    public static func freshSchema(_ label: String = "t") -> PostgresLocation? {
        guard var location else { return nil }
        location.schema = "\(label)_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        return location
    }

    private static let server: (location: PostgresLocation?, problem: String?) = {
        if let url = ProcessInfo.processInfo.environment["FLOWS_TEST_POSTGRES_URL"] {
            do {
                return (try PostgresLocation(parsing: url), nil)
            } catch {
                return (nil, "FLOWS_TEST_POSTGRES_URL is not usable: \(error)")
            }
        }
        guard let bin = binDirectory() else {
            return (nil, "PostgreSQL tests skipped: no initdb on the PATH and no FLOWS_TEST_POSTGRES_URL. Install PostgreSQL (apt-get install postgresql) or set FLOWS_TEST_POSTGRES_URL=postgres://USER@127.0.0.1:5432/DB")
        }
        do {
            return (try ThrowawayCluster.start(bin: bin), nil)
        } catch {
            return (nil, "PostgreSQL tests skipped: a throwaway cluster did not start: \(error)")
        }
    }()

    private static func binDirectory() -> URL? {
        let fileManager = FileManager.default
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder))
            if fileManager.isExecutableFile(atPath: candidate.appendingPathComponent("initdb").path) { return candidate }
        }
        let debian = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? fileManager.contentsOfDirectory(atPath: debian.path))?.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) } ?? []
        for version in versions {
            let candidate = debian.appendingPathComponent(version).appendingPathComponent("bin")
            if fileManager.isExecutableFile(atPath: candidate.appendingPathComponent("initdb").path) { return candidate }
        }
        return nil
    }
}

/// A PostgreSQL cluster in a temporary folder for the life of the test process.
private enum ThrowawayCluster {
    static let stop = Mutex<(pgctl: String, data: String, asPostgres: Bool)?>(nil)

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func start(bin: URL) throws -> PostgresLocation {
        let asPostgres = geteuid() == 0
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flows-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let data = folder.appendingPathComponent("data").path
        if asPostgres { try run("/bin/chown", ["postgres", folder.path], asPostgres: false) }
        try run(bin.appendingPathComponent("initdb").path, ["-D", data, "-U", "flows", "--auth=trust", "-E", "UTF8", "--no-sync"], asPostgres: asPostgres)
        let port = try freePort()
        // fsync off: a test cluster's durability is not what the tests measure, and it is thrown away.
        let options = "-p \(port) -k \(folder.path) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        try run(bin.appendingPathComponent("pg_ctl").path, ["-D", data, "-o", options, "-l", folder.appendingPathComponent("log").path, "-w", "start"], asPostgres: asPostgres)
        stop.withLock { $0 = (bin.appendingPathComponent("pg_ctl").path, data, asPostgres) }
        atexit {
            guard let (pgctl, data, asPostgres) = ThrowawayCluster.stop.withLock({ $0 }) else { return }
            try? ThrowawayCluster.run(pgctl, ["-D", data, "-m", "immediate", "stop"], asPostgres: asPostgres)
        }
        return PostgresLocation(host: "127.0.0.1", port: port, username: "flows", database: "postgres")
    }

    /// Runs a program to its end with posix_spawn and waitpid, its output in a file. (Foundation's `Process` could
    /// miss the exit of a child here, run from a lazily made static while the test runner's threads wait on it.)
    static func run(_ executable: String, _ arguments: [String], asPostgres: Bool) throws {
        let argv = asPostgres ? ["/usr/sbin/runuser", "-u", "postgres", "--", executable] + arguments : [executable] + arguments
        // Output goes to a file, not a pipe: the server pg_ctl starts inherits the descriptors and keeps a pipe open
        // for as long as it runs.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("flows-pg-\(UUID().uuidString.prefix(8)).out").path
        defer { unlink(log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw Failure(description: "\(argv[0]) could not start: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0
        let code = (status >> 8) & 0xff
        guard exited, code == 0 else {
            throw Failure(description: "\(URL(fileURLWithPath: executable).lastPathComponent) exited \(exited ? code : -1): \(text.suffix(300))")
        }
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "no socket for a free port") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
