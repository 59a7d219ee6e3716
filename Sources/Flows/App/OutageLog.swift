import Logging
import Synchronization

/// Says once that our database is unavailable, not once per request it turns away.
///
/// While the database is down every webhook and submission is answered 503 with `Retry-After`, which is the
/// designed behaviour: the vendor retries, the caller submits again. The first request to meet the outage logs a
/// warning; the rest are counted (at debug level each); the first request that succeeds afterwards ends the outage
/// with a notice saying how many were deferred.
final class OutageLog: Sendable {
    private struct Outage {
        var webhooks = 0
        var submissions = 0
    }

    private let outage = Mutex<Outage?>(nil)
    /// Whether an outage is open: read without the lock on every successful request.
    private let open = Atomic<Bool>(false)

    /// What a request was deferred for.
    enum Request: String {
        case webhook
        case submission
    }

    /// A request answered 503 because the database is unavailable.
    func deferred(_ request: Request, error: any Error, logger: Logger) {
        let first = outage.withLock { outage -> Bool in
            let first = outage == nil
            var current = outage ?? Outage()
            switch request {
            case .webhook: current.webhooks += 1
            case .submission: current.submissions += 1
            }
            outage = current
            open.store(true, ordering: .releasing)
            return first
        }
        if first {
            logger.warning(
                "our database is unavailable: webhooks and submissions are answered 503 with Retry-After until it answers again",
                metadata: ["first": "\(request.rawValue)", "error": "\(error)"]
            )
        } else {
            logger.debug("\(request.rawValue) deferred: our database is unavailable", metadata: ["error": "\(error)"])
        }
    }

    /// A request the database served: ends the outage, if one is open.
    func served(logger: Logger) {
        guard open.load(ordering: .acquiring) else { return }
        guard let ended = outage.withLock({ outage -> Outage? in
            defer {
                outage = nil
                open.store(false, ordering: .releasing)
            }
            return outage
        }) else { return }
        logger.notice(
            "our database answers again",
            metadata: ["webhooks.deferred": "\(ended.webhooks)", "submissions.deferred": "\(ended.submissions)"]
        )
    }

    /// The requests deferred in the outage open now, if any.
    var current: (webhooks: Int, submissions: Int)? {
        outage.withLock { $0.map { ($0.webhooks, $0.submissions) } }
    }
}
