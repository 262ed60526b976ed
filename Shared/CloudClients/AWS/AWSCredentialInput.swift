/// An AWS access key as uploaded: `{"access_key_id", "secret_access_key", "session_token"?}`.
public struct AWSCredentialInput: CloudCredentialInput, Hashable {
    public static let provider = CloudProvider.aws
    public static let secretFields = ["secret_access_key", "session_token"]

    public var accessKeyID: String
    public var secretAccessKey: SecretString
    /// Present for temporary credentials (keys starting ASIA).
    public var sessionToken: SecretString?

    enum CodingKeys: String, CodingKey {
        case accessKeyID = "access_key_id"
        case secretAccessKey = "secret_access_key"
        case sessionToken = "session_token"
    }

    public init(accessKeyID: String, secretAccessKey: SecretString, sessionToken: SecretString? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public func validate() throws(CredentialValidationError) {
        // AWS documents access key ids as 16 to 128 characters; they are upper-case letters and
        // digits (AKIA… for long-term keys, ASIA… for temporary ones).
        try FieldCheck.characters(accessKeyID, field: "access_key_id", lengths: 16...128,
                                  allowed: FieldCheck.upperAlphanumerics, description: "16 to 128 upper-case letters and digits")
        try FieldCheck.token(secretAccessKey.revealed, field: "secret_access_key", maxLength: 128)
        if let sessionToken {
            try FieldCheck.token(sessionToken.revealed, field: "session_token", maxLength: 8192)
        } else if accessKeyID.hasPrefix("ASIA") {
            throw .invalidInput(field: "session_token", reason: "required with a temporary access key (ASIA…)")
        }
    }

    var signingCredentials: AWSSigningCredentials {
        AWSSigningCredentials(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey.revealed, sessionToken: sessionToken?.revealed)
    }
}
