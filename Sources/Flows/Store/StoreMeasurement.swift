import HelpDeskAPI

/// What a store tells the benchmark about its own cost, apart from the behaviour ``ReviewStore`` promises: each
/// backend measures its statements its own way (SQLite through GRDB's trace, PostgreSQL by timing each round trip
/// on the client) and explains the receiver's update in its own words.
public protocol StoreMeasurement: Sendable {
    /// The backend's name, as `dbcost.csv`'s `backend` column writes it: `sqlite` or `postgres`.
    var backendName: String { get }

    /// Every statement run so far: how many, and how long they took.
    func statementStatistics() -> StatementStatistics

    /// The query plan of the receiver's update (``ReceiverUpdate``), as the database explains it, in one line.
    func receiverUpdatePlan() async throws -> String

    /// Folds every row's document id and status into `initial`, reading the rows as a stream (a run may hold a
    /// million), in no particular order.
    func tallyStatuses<Tally: Sendable>(
        into initial: Tally,
        _ combine: @escaping @Sendable (inout Tally, _ documentId: String, _ status: DocumentStatus) -> Void
    ) async throws -> Tally
}

/// A store with its measurements: what the benchmark and the servers open from a `--db` value.
public typealias MeasuredReviewStore = ReviewStore & StoreMeasurement
