import HeapModule
import SimulationSupport

/// A long-poll fleet with at most `slots` requests in flight, event by event: the model of `long-poll:W` when our
/// client's cap (``ModelWorkload/maxInFlight``) is smaller than the documents pending at once.
///
/// Each document joins one first-in-first-out queue when its submission's answer is back; a free slot takes the
/// entry due first. A request reaches the Help Desk a network delay d after it leaves; a review already decided is
/// answered at once, one decided within the hold W is answered at its decision, otherwise a 304 comes after W. The
/// answer takes d back, and then the slot is free again; after a 304 the document rejoins the queue at once. A
/// decision made while its document waits in the queue is learned by its next request, so latency is the wait for
/// a slot. Time is the review's own: a document submitted at `a` starts its review at `a + d`.
struct SlotQueueModel {
    var slots: Int
    var hold: Double
    var networkDelay: Double
    /// Submission instants, seconds, ascending.
    var arrivals: [Double]
    /// Each document's review delay, seconds, in submission order.
    var delays: [Double]

    struct Outcome {
        /// Each document's latency (decision to answer back), seconds.
        var latencies: [Double]
        /// Status requests, over all documents, and for each.
        var requests: Int
        var requestsPerDocument: [Int]
        /// Whether any request had to wait for a slot.
        var waited: Bool
    }

    private struct Entry: Comparable {
        var due: Double
        var order: Int
        var document: Int
        static func < (a: Entry, b: Entry) -> Bool { (a.due, a.order) < (b.due, b.order) }
    }

    private struct Busy: Comparable {
        var free: Double
        var order: Int
        /// The document that rejoins the queue when the slot frees, -1 when none.
        var next: Int
        static func < (a: Busy, b: Busy) -> Bool { (a.free, a.order) < (b.free, b.order) }
    }

    func run() -> Outcome {
        let d = networkDelay
        var queue = Heap<Entry>()
        var busy = Heap<Busy>()
        var order = 0
        for (document, arrival) in arrivals.enumerated() {
            queue.insert(Entry(due: arrival + 2 * d, order: order, document: document))
            order += 1
        }
        var latencies = [Double](repeating: 0, count: arrivals.count)
        var requests = 0
        var perDocument = [Int](repeating: 0, count: arrivals.count)
        var waited = false

        func release(_ slot: Busy) {
            guard slot.next >= 0 else { return }
            queue.insert(Entry(due: slot.free, order: order, document: slot.next))
            order += 1
        }

        while !queue.isEmpty || !busy.isEmpty {
            // Slots that free before the first due entry put their documents back first: they may be due earlier.
            if let slot = busy.min, queue.min.map({ slot.free <= $0.due }) ?? true {
                release(busy.removeMin())
                continue
            }
            let entry = queue.removeMin()
            var start = entry.due
            if busy.count >= slots {
                let slot = busy.removeMin()
                start = slot.free
                waited = true
                release(slot)
            }
            requests += 1
            perDocument[entry.document] += 1
            let decided = arrivals[entry.document] + d + delays[entry.document]
            let reaches = start + d
            if decided <= reaches {
                latencies[entry.document] = reaches + d - decided
                busy.insert(Busy(free: reaches + d, order: order, next: -1))
            } else if decided <= reaches + hold {
                latencies[entry.document] = d
                busy.insert(Busy(free: decided + d, order: order, next: -1))
            } else {
                busy.insert(Busy(free: reaches + hold + d, order: order, next: entry.document))
            }
            order += 1
        }
        return Outcome(latencies: latencies, requests: requests, requestsPerDocument: perDocument, waited: waited)
    }
}
