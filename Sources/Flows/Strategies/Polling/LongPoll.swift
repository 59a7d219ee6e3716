extension PollPolicy {
    /// `long-poll:W`: ask at once with `?wait=W` and the last `ETag`; the Help Desk answers when the review is
    /// decided, or with 304 after W, and the poller asks again at once.
    ///
    /// Expected cost: about ⌈D/W⌉ requests and no added latency.
    static func longPoll(wait: Duration) -> PollPolicy {
        PollPolicy(delay: { _, _ in .zero }, conditional: true, wait: wait)
    }
}
