import SimulationSupport
import Testing

@testable import BenchKit

/// What counts as two instances polling one document at once, and what as a handover.
struct PollRecordTests {
    private func at(_ seconds: Int) -> SimulationClock.Instant { .init(offset: .seconds(seconds)) }

    @Test func twoRunningInstancesPollingWithinAnIntervalCount() {
        let record = PollRecord()
        record.record("doc_1", by: 0, at: at(0))
        record.record("doc_1", by: 1, at: at(3))
        record.record("doc_2", by: 0, at: at(0))
        record.record("doc_2", by: 0, at: at(1))
        #expect(record.documentsPolledTwice(within: .seconds(30)) == 1, "doc_1's two polls by two running instances, 3 s apart")
        #expect(record.documentsPolledTwice(within: .seconds(1)) == 0, "3 s apart is not within a 1 s interval")
        #expect(record.documentsHandedOver == 1)
    }

    @Test func aPollCutShortByItsInstanceStoppingIsAHandover() {
        let record = PollRecord()
        // A long-poll by instance 0, which stops a second later; instance 1 takes the document over after the lease.
        record.record("doc_1", by: 0, at: at(0))
        record.recordStop(of: 0, at: at(1))
        record.record("doc_1", by: 1, at: at(4))
        #expect(record.documentsPolledTwice(within: .seconds(30)) == 0)
        #expect(record.documentsHandedOver == 1)
        // Back again, instance 0 polling while instance 1 still runs is a double poll.
        record.record("doc_1", by: 0, at: at(6))
        #expect(record.documentsPolledTwice(within: .seconds(30)) == 1)
    }
}
