/// How a per-document poller spaces and shapes its requests.
struct PollPolicy: Sendable {
    /// The model time to wait before attempt `n` (1-based) for a document.
    var delay: @Sendable (_ attempt: Int, _ documentId: String) -> Duration
    /// Send `If-None-Match` with the last `ETag`.
    var conditional = false
    /// Ask the Help Desk to hold the request up to this long (`?wait=`).
    var wait: Duration?
}
