/// Asks a provider whether a credential works. Implementations check the input first (throwing
/// `.invalidInput` before any request), then make exactly one request to a configured endpoint.
public protocol CloudCredentialValidator: Sendable {
    associatedtype Input: CloudCredentialInput
    func validate(_ input: Input) async throws(CredentialValidationError) -> ValidatedCredential
}
