extension PollPolicy {
    /// `poll-fixed:I`: a status request every `interval`, the first one `interval` after submission.
    ///
    /// Expected cost for a review of length D: about ⌊D/I⌋ + 1 requests, and I/2 of latency on average.
    static func fixed(interval: Duration) -> PollPolicy {
        PollPolicy(delay: { _, _ in interval })
    }
}
