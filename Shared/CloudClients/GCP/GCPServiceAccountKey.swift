import Foundation
import _CryptoExtras

/// A Google service-account key file exactly as the Cloud console downloads it. Fields we do
/// not use (auth_uri, client_x509_cert_url, universe_domain, …) are ignored when decoding.
public struct GCPServiceAccountKey: CloudCredentialInput, Hashable {
    public static let provider = CloudProvider.gcp
    public static let secretFields = ["private_key"]

    public var type: String
    public var projectID: String
    public var privateKeyID: String
    public var privateKey: SecretString
    public var clientEmail: String
    public var clientID: String?
    public var tokenURI: String

    enum CodingKeys: String, CodingKey {
        case type
        case projectID = "project_id"
        case privateKeyID = "private_key_id"
        case privateKey = "private_key"
        case clientEmail = "client_email"
        case clientID = "client_id"
        case tokenURI = "token_uri"
    }

    public init(type: String = "service_account", projectID: String, privateKeyID: String, privateKey: SecretString,
                clientEmail: String, clientID: String? = nil, tokenURI: String) {
        self.type = type
        self.projectID = projectID
        self.privateKeyID = privateKeyID
        self.privateKey = privateKey
        self.clientEmail = clientEmail
        self.clientID = clientID
        self.tokenURI = tokenURI
    }

    public func validate() throws(CredentialValidationError) {
        guard type == "service_account" else {
            throw .invalidInput(field: "type", reason: "must be \"service_account\"")
        }
        // Project ids are 6–30 characters of lower-case letters, digits and hyphens; older ones
        // may carry a "domain:" prefix.
        try FieldCheck.characters(projectID, field: "project_id", lengths: 6...63,
                                  allowed: FieldCheck.lowerAlphanumerics + "-.:", description: "a GCP project id")
        try FieldCheck.characters(privateKeyID, field: "private_key_id", lengths: 8...128,
                                  allowed: FieldCheck.alphanumerics, description: "the key's id (letters and digits)")
        _ = try signingKey()
        try FieldCheck.token(clientEmail, field: "client_email", maxLength: 254)
        let parts = clientEmail.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains(".") else {
            throw .invalidInput(field: "client_email", reason: "must be an e-mail address")
        }
        try FieldCheck.httpURL(tokenURI, field: "token_uri")
    }

    /// The RSA private key. Google issues 2048-bit keys in PKCS#8 PEM; PKCS#1 PEM is accepted too.
    func signingKey() throws(CredentialValidationError) -> _RSA.Signing.PrivateKey {
        do {
            return try _RSA.Signing.PrivateKey(pemRepresentation: privateKey.revealed)
        } catch {
            throw .invalidInput(field: "private_key", reason: "not a PEM RSA key (2048 bits or more)")
        }
    }
}
