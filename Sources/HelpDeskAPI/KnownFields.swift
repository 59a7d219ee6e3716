/// A request body type that names its fields, so a body carrying any other field can be refused.
public protocol KnownFields {
    static var fieldNames: Set<String> { get }
}

extension SubmitDocumentRequest: KnownFields {
    public static var fieldNames: Set<String> { ["documentUrl", "metadata"] }
}
