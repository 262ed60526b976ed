import CloudClients
import Foundation

/// Fresh accounts at the local cloud peers, each returned as the credential a user would upload.
public enum PeerAccounts {
    struct NewGCPAccount: Encodable { let project_id: String; let name: String }
    struct KeystoneProject: Encodable { let name: String; let domain: String }
    struct NewKeystoneUser: Encodable { let name: String; let password: String; let domain: String; let projects: [KeystoneProject] }
    public struct KeystoneUser: Decodable, Sendable { public let user_id: String; public let projects: [String: String] }
    struct NewAzureApp: Encodable { let tenant_id: String; let client_id: String; let client_secret: String }
    struct AzureApp: Decodable { let tenant_id: String; let client_id: String }

    /// A new GCP service account, as a key file in Google's download format.
    public static func gcpKey() async throws -> GCPServiceAccountKey {
        try await CloudTestEnvironment.peerPOST(
            "/__test/gcp/service-accounts",
            NewGCPAccount(project_id: "cumulus-\(CloudTestEnvironment.unique())", name: "validator"),
            as: GCPServiceAccountKey.self)
    }

    /// A Keystone user with a role on one project, in a domain of its own.
    public static func keystoneUser(password: String = "s3cret pass \(CloudTestEnvironment.unique())") async throws -> (OpenStackCredentialInput, KeystoneUser) {
        let suffix = CloudTestEnvironment.unique()
        let domain = "dom-\(suffix)"
        let created = try await CloudTestEnvironment.peerPOST(
            "/__test/keystone/users",
            NewKeystoneUser(name: "user-\(suffix)", password: password, domain: domain, projects: [KeystoneProject(name: "proj-\(suffix)", domain: domain)]),
            as: KeystoneUser.self)
        let input = OpenStackCredentialInput(
            authURL: try CloudTestEnvironment.peersURL() + "/keystone", username: "user-\(suffix)", password: SecretString(password),
            userDomainName: domain, projectName: "proj-\(suffix)", projectDomainName: domain)
        return (input, created)
    }

    /// An Entra ID application registration with a client secret.
    public static func azureApp() async throws -> AzureCredentialInput {
        let input = AzureCredentialInput(tenantID: UUID().uuidString.lowercased(), clientID: UUID().uuidString.lowercased(),
                                         clientSecret: SecretString("Q~\(CloudTestEnvironment.unique()).\(CloudTestEnvironment.unique())"),
                                         subscriptionID: UUID().uuidString.lowercased())
        _ = try await CloudTestEnvironment.peerPOST(
            "/__test/azure/apps",
            NewAzureApp(tenant_id: input.tenantID, client_id: input.clientID, client_secret: input.clientSecret.revealed),
            as: AzureApp.self)
        return input
    }
}
