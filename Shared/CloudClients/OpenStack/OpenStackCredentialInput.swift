/// An OpenStack user, the way an openrc file names it (OS_AUTH_URL, OS_USERNAME, OS_PASSWORD,
/// OS_USER_DOMAIN_NAME, OS_PROJECT_NAME, OS_PROJECT_DOMAIN_NAME, OS_REGION_NAME). Domains
/// default to "Default", as in the openrc files Horizon hands out.
public struct OpenStackCredentialInput: CloudCredentialInput, Hashable {
    public static let provider = CloudProvider.openstack
    public static let secretFields = ["password"]

    /// Keystone's URL, with or without the trailing /v3.
    public var authURL: String
    public var username: String
    public var password: SecretString
    public var userDomainName: String?
    public var projectName: String
    public var projectDomainName: String?
    /// Not needed to authenticate; kept for the clients that use the credential later.
    public var regionName: String?

    enum CodingKeys: String, CodingKey {
        case authURL = "auth_url"
        case username
        case password
        case userDomainName = "user_domain_name"
        case projectName = "project_name"
        case projectDomainName = "project_domain_name"
        case regionName = "region_name"
    }

    public init(authURL: String, username: String, password: SecretString, userDomainName: String? = nil,
                projectName: String, projectDomainName: String? = nil, regionName: String? = nil) {
        self.authURL = authURL
        self.username = username
        self.password = password
        self.userDomainName = userDomainName
        self.projectName = projectName
        self.projectDomainName = projectDomainName
        self.regionName = regionName
    }

    public static let defaultDomain = "Default"
    var effectiveUserDomain: String { userDomainName ?? Self.defaultDomain }
    var effectiveProjectDomain: String { projectDomainName ?? Self.defaultDomain }

    public func validate() throws(CredentialValidationError) {
        let url = try FieldCheck.httpURL(authURL, field: "auth_url")
        if url.query != nil { throw .invalidInput(field: "auth_url", reason: "must not contain a query") }
        // Keystone limits names to 255 characters.
        try FieldCheck.text(username, field: "username", maxLength: 255)
        if password.revealed.isEmpty { throw .invalidInput(field: "password", reason: "must not be empty") }
        if password.revealed.count > 4096 { throw .invalidInput(field: "password", reason: "longer than 4096 characters") }
        if let userDomainName { try FieldCheck.text(userDomainName, field: "user_domain_name", maxLength: 255) }
        try FieldCheck.text(projectName, field: "project_name", maxLength: 255)
        if let projectDomainName { try FieldCheck.text(projectDomainName, field: "project_domain_name", maxLength: 255) }
        if let regionName { try FieldCheck.text(regionName, field: "region_name", maxLength: 255) }
    }

    /// {auth_url}/v3/auth/tokens, whether auth_url ends in /v3 or not.
    var tokensURL: String {
        var base = Substring(authURL)
        while base.hasSuffix("/") { base = base.dropLast() }
        if base.lowercased().hasSuffix("/v3") { base = base.dropLast(3) }
        return base + "/v3/auth/tokens"
    }
}
