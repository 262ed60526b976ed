import CumulusAPI
import CumulusKit
import Crypto
import Foundation

/// Governance's own settings, read at start beside the shell's (prefix `CUMULUS_GOVERNANCE_`).
public struct GovernanceSettings: Sendable {
    /// Seals signing keys and cloud credentials at rest.
    public var secretBox: SecretBox
    public var accessTokenLifetime: Duration
    public var refreshTokenLifetime: Duration
    /// First start: the platform administrator, if given; otherwise a setup token is logged.
    public var adminEmail: String?
    public var adminPassword: String?
    public var bcryptCost: UInt8
    public var maxFailedLogins: Int
    public var lockout: Duration
    public var approvalLifetime: Duration
    /// The suite's own service accounts, created or refreshed at start: name → (client id, secret).
    public var serviceAccounts: [BuiltInServiceAccount: (id: UUID, secret: String)] = [:]
    /// Where cloud credentials are checked (tests point these at local peers).
    public var cloudEndpoints: CloudEndpoints = CloudEndpoints()

    public struct CloudEndpoints: Sendable {
        public var awsSTSEndpoint = "https://sts.amazonaws.com"
        public var awsSTSRegion = "us-east-1"
        public var gcpTokenURIs: Set<String> = ["https://oauth2.googleapis.com/token"]
        public var azureAuthority = "https://login.microsoftonline.com"
        public var openStackAllowPlainHTTP = false
        public var openStackAllowedHosts: Set<String>? = nil
        public init() {}
    }

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> GovernanceSettings {
        let env = EnvironmentReader(servicePrefix: "CUMULUS_GOVERNANCE_", values: environment)
        let keyringText = try env.requiredString("SECRET_KEYS")
        guard let keyring = SecretBox.parseKeyring(keyringText) else {
            throw ConfigurationError(variable: env.lookup("SECRET_KEYS")!.name, problem: "must be 'id:base64key[,id:base64key…]' with 32-byte keys")
        }
        let active = env.string("ACTIVE_SECRET_KEY") ?? keyring.keys.sorted().last!
        let box: SecretBox
        do {
            box = try SecretBox(activeKeyID: active, keys: keyring)
        } catch {
            throw ConfigurationError(variable: "CUMULUS_GOVERNANCE_ACTIVE_SECRET_KEY", problem: "names key '\(active)', which SECRET_KEYS does not hold")
        }
        let adminPassword = env.string("ADMIN_PASSWORD")
        if let adminPassword, adminPassword.count < 12 {
            throw ConfigurationError(variable: env.lookup("ADMIN_PASSWORD")!.name, problem: "must be at least 12 characters")
        }
        var cloud = CloudEndpoints()
        if let endpoint = try env.url("AWS_STS_ENDPOINT", schemes: ["http", "https"]) { cloud.awsSTSEndpoint = endpoint.absoluteString }
        cloud.awsSTSRegion = env.string("AWS_STS_REGION", default: cloud.awsSTSRegion)
        if let uris = env.string("GCP_TOKEN_URIS") { cloud.gcpTokenURIs = Set(uris.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }) }
        if let authority = try env.url("AZURE_AUTHORITY", schemes: ["http", "https"]) { cloud.azureAuthority = authority.absoluteString }
        cloud.openStackAllowPlainHTTP = env.string("OPENSTACK_ALLOW_HTTP", default: "false") == "true"
        if let hosts = env.string("OPENSTACK_ALLOWED_HOSTS") { cloud.openStackAllowedHosts = Set(hosts.split(separator: ",").map(String.init)) }
        var accounts: [BuiltInServiceAccount: (id: UUID, secret: String)] = [:]
        if let text = env.string("SERVICE_ACCOUNTS"), !text.isEmpty {
            // name:uuid:secret[,name:uuid:secret…]
            for entry in text.split(separator: ",") {
                let parts = entry.split(separator: ":", maxSplits: 2).map(String.init)
                guard parts.count == 3, let account = BuiltInServiceAccount(rawValue: parts[0]), let id = UUID(uuidString: parts[1]), parts[2].count >= 24 else {
                    throw ConfigurationError(variable: env.lookup("SERVICE_ACCOUNTS")!.name,
                                             problem: "must be name:uuid:secret[,…] with names from \(BuiltInServiceAccount.allCases.map(\.rawValue).joined(separator: ", ")) and secrets of 24+ characters")
                }
                accounts[account] = (id, parts[2])
            }
        }
        var settings = GovernanceSettings(
            secretBox: box,
            accessTokenLifetime: .seconds(try env.integer("ACCESS_TOKEN_SECONDS", default: 900, range: 30...86_400)),
            refreshTokenLifetime: .seconds(try env.integer("REFRESH_TOKEN_SECONDS", default: 14 * 86_400, range: 300...(90 * 86_400))),
            adminEmail: env.string("ADMIN_EMAIL"),
            adminPassword: adminPassword,
            bcryptCost: UInt8(try env.integer("BCRYPT_COST", default: 12, range: 4...16)),
            maxFailedLogins: try env.integer("MAX_FAILED_LOGINS", default: 5, range: 1...100),
            lockout: .seconds(try env.integer("LOCKOUT_SECONDS", default: 900, range: 1...86_400)),
            approvalLifetime: .seconds(try env.integer("APPROVAL_SECONDS", default: 3 * 86_400, range: 1...(30 * 86_400))),
            cloudEndpoints: cloud
        )
        settings.serviceAccounts = accounts
        return settings
    }
}

extension Duration {
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
