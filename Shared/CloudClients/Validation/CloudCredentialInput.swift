/// A credential as an organisation uploads it (JSON, snake_case field names).
public protocol CloudCredentialInput: Codable, Sendable {
    static var provider: CloudProvider { get }
    /// The JSON field names whose values are secret: storage encrypts exactly these and listings
    /// omit them. Each is a `SecretString` in the Swift type.
    static var secretFields: [String] { get }
    /// Field-level checks that need no network; the error names the field at fault.
    func validate() throws(CredentialValidationError)
}
