/// An RFC 9457 problem document: what every Cumulus API answers on failure.
///
/// `errors` names the offending fields of a request (with the limit that was broken, where there is
/// one), so a client can point a person at the exact input to fix.
public struct ProblemDetails: Codable, Sendable, Equatable, Error {
    public struct FieldError: Codable, Sendable, Equatable {
        public var field: String
        public var reason: String
        public var limit: String?

        public init(field: String, reason: String, limit: String? = nil) {
            self.field = field
            self.reason = reason
            self.limit = limit
        }
    }

    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?
    public var instance: String?
    public var requestId: String?
    public var errors: [FieldError]?

    public init(
        type: String = "about:blank",
        title: String,
        status: Int,
        detail: String? = nil,
        instance: String? = nil,
        requestId: String? = nil,
        errors: [FieldError]? = nil
    ) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.instance = instance
        self.requestId = requestId
        self.errors = errors
    }

    public static let mediaType = "application/problem+json"
}
