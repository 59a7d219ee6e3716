/// Our app: the integration that asks the Help Desk for reviews and learns their verdicts.
///
/// It knows the Help Desk only through `HelpDeskAPI` and HTTP, never through `MockHelpDesk`, exactly as a
/// real integration knows a vendor. Its webhook receiver listens on ``receiverPath``.
public enum Flows {
    /// The path of our webhook receiver, as in the reference tutorial.
    public static let receiverPath = "/document/update"
}
