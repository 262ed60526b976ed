/// Why a credential was not accepted. The three cases are the three answers the HTTP edge gives:
/// the caller's input is wrong (400), the provider said no (422), or we could not get a usable
/// answer from the provider (502). No case ever carries a secret: reasons are our own words or
/// the provider's error text, never a request or response body.
public enum CredentialValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A field of the input is missing or malformed, or names an endpoint we will not call.
    case invalidInput(field: String, reason: String)
    /// The provider checked the credential and refused it; `code` and `message` are the
    /// provider's own (e.g. "SignatureDoesNotMatch", "invalid_grant", "AADSTS7000215: …").
    case rejected(provider: CloudProvider, code: String?, message: String)
    /// The provider could not be reached, timed out, or answered something we cannot read.
    case providerUnavailable(provider: CloudProvider, endpoint: String, reason: String)

    /// The HTTP status the governance API answers with.
    public var httpStatus: Int {
        switch self {
        case .invalidInput: 400
        case .rejected: 422
        case .providerUnavailable: 502
        }
    }

    public var description: String {
        switch self {
        case .invalidInput(let field, let reason):
            "\(field): \(reason)"
        case .rejected(let provider, let code, let message):
            "\(provider) rejected the credential: " + (code.map { "\($0): " } ?? "") + message
        case .providerUnavailable(let provider, let endpoint, let reason):
            "\(provider) endpoint \(endpoint) gave no usable answer: \(reason)"
        }
    }
}
