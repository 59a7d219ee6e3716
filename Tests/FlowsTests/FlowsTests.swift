import Flows
import Testing

struct FlowsTests {
    @Test func theReceiverListensOnTheTutorialsPath() {
        #expect(Flows.receiverPath == "/document/update")
    }
}
