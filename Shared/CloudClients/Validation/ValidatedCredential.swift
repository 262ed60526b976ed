import Foundation

/// What a provider confirmed about a credential that works.
public struct ValidatedCredential: Sendable, Hashable, Codable {
    public var provider: CloudProvider
    /// The account the credential belongs to: AWS account id, GCP project id, OpenStack project
    /// name, Azure tenant.
    public var account: String
    /// Who the credential authenticates as: AWS ARN, GCP client_email, Keystone user id, Azure
    /// client (application) id.
    public var principal: String
    public var validatedAt: Date
    /// Further non-secret facts the provider returned (e.g. AWS UserId, Keystone project id).
    public var details: [String: String]

    public init(provider: CloudProvider, account: String, principal: String, validatedAt: Date, details: [String: String] = [:]) {
        self.provider = provider
        self.account = account
        self.principal = principal
        self.validatedAt = validatedAt
        self.details = details
    }
}
