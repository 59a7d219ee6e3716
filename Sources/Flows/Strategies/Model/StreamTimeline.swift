import SimulationSupport

/// `sse` followed event by event: one stream open from the start; the Help Desk sends each decision n after it is
/// made (or at once, in a replay, to a stream opened after it), ends every stream after k events, and drops it at
/// each restart. After a stream that brought anything, our app waits the `retry:` hint g; after n attempts in a row
/// that brought nothing (the Help Desk still down), a draw in [½, 1] of min(30 s, g·2ⁿ). Each attempt reaches the
/// Help Desk a network delay after it leaves, and each end reaches our app a delay after it happens. A document's
/// latency is its event's arrival less its decision; requests are the streams opened, failed attempts included.
/// Submissions that find the Help Desk down are retried on the client's schedule, and reviewed from when they land.
struct StreamTimeline {
    let latencies: [Double]
    let connections: Int
    /// Attempts the Help Desk refused while down: requests that learned nothing.
    let failedAttempts: Int

    init(_ workload: ModelWorkload, replication: Int) {
        let stream = workload.stream
        let network = workload.networkDelay
        let hint = stream.reconnectGap.secondsValue
        let outages = stream.outages.map { (start: $0.at.secondsValue, end: ($0.at + $0.down).secondsValue) }.sorted { $0.start < $1.start }
        let isDown = { (instant: Double) in outages.contains { instant >= $0.start && instant < $0.end } }
        // A submission that finds the Help Desk down is tried again after 0.5 s, 1 s, 2 s and 4 s; the Help Desk numbers
        // the reviews (and draws their delays) in the order it receives them.
        let received = workload.submissionInstants().map { planned in
            [0, 0.5, 1.5, 3.5, 7.5].lazy.map { planned + $0 }.first { !isDown($0 + network) } ?? planned + 7.5
        }.sorted()
        let decisions = zip(received, workload.delaysPerDocument(count: received.count)).map { $0 + $1 }.sorted()
        var random = stream.drawnWithSeed.map { SeededGenerator(seed: $0, stream: "sse-reconnect", index: 0) }
            ?? SeededGenerator(seed: workload.seed, stream: "sse-reconnect-model", index: UInt64(replication))
        var latencies: [Double] = []
        latencies.reserveCapacity(decisions.count)
        // The stream's first request reaches the Help Desk a delay after the start.
        var opened = network
        var connections = 1
        var failedAttempts = 0
        var next = 0
        while next < decisions.count {
            // Sends on the stream opened at `opened` until k events, the next restart, or the last decision.
            var sentHere = 0
            let restart = outages.first { $0.start >= opened }?.start ?? .infinity
            var ended = restart
            while next < decisions.count {
                let sent = max(decisions[next], opened)
                guard sent < restart else { break }
                latencies.append(sent + network - decisions[next])
                next += 1
                sentHere += 1
                if let closeAfter = stream.closesAfterEvents, sentHere >= closeAfter {
                    ended = sent
                    break
                }
            }
            guard next < decisions.count else { break }
            // Our app sees the end, waits, and tries again until the Help Desk answers.
            var attempt = ended + network + hint
            var failures = 0
            while isDown(attempt + network) {
                connections += 1
                failedAttempts += 1
                failures += 1
                let base = min(30, max(hint, 0.001) * Double(1 << min(failures, 20)))
                attempt += 2 * network + base * (0.5 + 0.5 * random.nextUnit())
            }
            connections += 1
            opened = attempt + network
        }
        self.latencies = latencies
        self.connections = connections
        self.failedAttempts = failedAttempts
    }

    static func model(_ workload: ModelWorkload, bytes: (Double) -> Double?) -> StrategyModel {
        let runs = workload.stream.drawnWithSeed == nil && !workload.stream.outages.isEmpty ? modelReplications(documents: workload.documents) : 1
        let timelines = (0..<runs).map { StreamTimeline(workload, replication: $0) }
        let latencies = timelines.flatMap(\.latencies)
        let connections = Double(timelines.reduce(0) { $0 + $1.connections }) / Double(runs)
        let failed = Double(timelines.reduce(0) { $0 + $1.failedAttempts }) / Double(runs)
        let documents = Double(max(workload.documents, 1))
        return StrategyModel(
            latency: latencies.isEmpty ? .immediate : LatencyModel(points: latencies.sorted()),
            requestsPerDocument: 1 + connections / documents,
            wastedRequestsPerDocument: failed / documents,
            streamBytesPerDocument: bytes(connections)
        )
    }
}
