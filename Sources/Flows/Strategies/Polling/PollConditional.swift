extension PollPolicy {
    /// `poll-conditional:I`: fixed polling that sends `If-None-Match`, so an unchanged document answers 304 with
    /// no body. Same request count as `poll-fixed`, fewer bytes.
    static func conditional(interval: Duration) -> PollPolicy {
        PollPolicy(delay: { _, _ in interval }, conditional: true)
    }
}
