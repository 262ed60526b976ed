/// An Azure service principal with a client secret (`az ad sp create-for-rbac` prints these as
/// tenant, appId, password).
public struct AzureCredentialInput: CloudCredentialInput, Hashable {
    public static let provider = CloudProvider.azure
    public static let secretFields = ["client_secret"]

    /// Directory (tenant) id, or a verified domain such as contoso.onmicrosoft.com.
    public var tenantID: String
    /// Application (client) id.
    public var clientID: String
    public var clientSecret: SecretString
    /// Not needed to authenticate; kept for the clients that use the credential later.
    public var subscriptionID: String?

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id"
        case clientID = "client_id"
        case clientSecret = "client_secret"
        case subscriptionID = "subscription_id"
    }

    public init(tenantID: String, clientID: String, clientSecret: SecretString, subscriptionID: String? = nil) {
        self.tenantID = tenantID
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.subscriptionID = subscriptionID
    }

    public func validate() throws(CredentialValidationError) {
        // The tenant goes into the token URL's path, so only GUID or DNS-name characters.
        try FieldCheck.characters(tenantID, field: "tenant_id", lengths: 1...253,
                                  allowed: FieldCheck.alphanumerics + "-.", description: "a tenant GUID or domain name")
        if tenantID.hasPrefix(".") || tenantID.hasPrefix("-") || tenantID.contains("..") {
            throw .invalidInput(field: "tenant_id", reason: "must be a tenant GUID or domain name")
        }
        try FieldCheck.guid(clientID, field: "client_id")
        try FieldCheck.token(clientSecret.revealed, field: "client_secret", maxLength: 1024)
        if let subscriptionID { try FieldCheck.guid(subscriptionID, field: "subscription_id") }
    }
}
