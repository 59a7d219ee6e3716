import HTTPTypes
import HelpDeskAPI

extension HTTPField.Name {
    public static let callbackURL = Self(HelpDeskHeader.callbackURL)!
    public static let callbackPayload = Self(HelpDeskHeader.callbackPayload)!
    public static let idempotencyKey = Self(HelpDeskHeader.idempotencyKey)!
    public static let idempotentReplayed = Self(HelpDeskHeader.idempotentReplayed)!
    public static let webhookID = Self(HelpDeskHeader.webhookID)!
    public static let webhookTimestamp = Self(HelpDeskHeader.webhookTimestamp)!
    public static let webhookSignature = Self(HelpDeskHeader.webhookSignature)!
    public static let lastEventID = Self(HelpDeskHeader.lastEventID)!
}
