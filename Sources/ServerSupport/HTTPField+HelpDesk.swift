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

extension HTTPFields {
    /// The value of the fields named `name`, as `self[name]` gives it (several fields joined with `, `, or `; ` for
    /// cookies), without building the joined string when there is a single field, as on every request's hot path.
    public func value(of name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            if found != nil { return self[name] }
            found = field.value
        }
        return found
    }
}
