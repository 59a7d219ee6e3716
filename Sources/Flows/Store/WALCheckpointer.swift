import Dispatch
import GRDB
import Synchronization

/// Checkpoints the store's write-ahead log off the commit path.
///
/// SQLite's own automatic checkpoint runs inside the commit that takes the log past 1,000 pages: that commit, and
/// every write waiting behind it in the group commit, waits for the checkpoint's copy and its `fsync` of the database
/// file (the receiver's p99 under load was 40 ms of them). Here the writer's commits only report the log's size
/// (SQLite's WAL hook, which replaces the automatic checkpoint); past ``pagesBeforeCheckpoint`` a `PASSIVE` checkpoint
/// runs on a queue and a connection of its own, beside the writer, which never waits for it. The next write after a
/// complete checkpoint starts the log again from its beginning, as before.
final class WALCheckpointer: Sendable {
    /// The log's size that starts a checkpoint: SQLite's default for its automatic one.
    static let pagesBeforeCheckpoint: Int32 = 1000

    private let path: String
    private let queue = DispatchQueue(label: "async-flows.sqlite-checkpoint")
    /// Opened on the first checkpoint: most stores never write 1,000 pages.
    private let connection = Mutex<DatabaseQueue?>(nil)
    private let scheduled = Atomic<Bool>(false)
    private let completed = Atomic<Int>(0)

    init(path: String) {
        self.path = path
    }

    /// Checkpoints that ran so far.
    var checkpoints: Int { completed.load(ordering: .relaxed) }

    /// Called by SQLite after each commit of the writer with the pages now in the log.
    func logGrew(to pages: Int32) {
        guard pages >= Self.pagesBeforeCheckpoint,
            scheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        queue.async { [self] in
            defer { scheduled.store(false, ordering: .releasing) }
            // A failed checkpoint (the file removed, a busy lock) leaves the log to the next one.
            guard (try? checkpoint()) != nil else { return }
            completed.add(1, ordering: .relaxed)
        }
    }

    /// Returns once the checkpoint scheduled so far, if any, has run.
    func waitForScheduled() {
        queue.sync {}
    }

    /// A `PASSIVE` checkpoint, now, on the checkpointer's connection: it copies what is committed without waiting
    /// for the writer or for readers.
    private func checkpoint() throws {
        let database = try connection.withLock { connection in
            if let connection { return connection }
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            let opened = try DatabaseQueue(path: path, configuration: configuration)
            connection = opened
            return opened
        }
        try database.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
    }
}
