import CloudClients
import CumulusAPI
import CumulusKit
import Foundation

/// Cloud credentials kept by governance, fetched for one call to the provider and never stored
/// here. Two calls: the person's own token reads the credential's description (so their right to
/// it is governance's usual check, and another tenant's credential is not found), then the costs
/// service account unseals it (governance audits the use, naming the person).
struct GovernanceCredentials: Sendable {
    let governanceURL: URL?
    let client: InternalClient

    /// The AWS key stored as credential `id`, for `identity`'s call made for `purpose`.
    func aws(_ id: UUID, for identity: Identity, purpose: String, requestID: String?) async throws -> AWSSigningCredentials {
        guard let governanceURL else {
            throw Problem(.serviceUnavailable, detail: "governance is not configured (CUMULUS_GOVERNANCE_URL), so stored credentials cannot be used")
        }
        guard let token = identity.token else { throw Problem.unauthorized("the request carries no token to read the credential with") }
        let path = "credentials/\(id.uuidString.lowercased())"
        let description: CloudCredential
        do {
            description = try await client.json(try InternalClient.jsonRequest(.GET, governanceURL.appending(path: "api/v1/" + path).absoluteString, bearer: token),
                                                as: CloudCredential.self, requestID: requestID, limit: 1 << 20)
        } catch let error as InternalCallError where error.status == 404 || error.status == 403 {
            throw Problem.invalidField("credentialId", "no credential \(id.uuidString.lowercased()) that you may read")
        } catch let error as InternalCallError {
            throw Problem(.badGateway, detail: "governance could not describe the credential: \(error.description)")
        }
        guard description.provider == CloudProvider.aws.rawValue else {
            throw Problem.invalidField("credentialId", "credential \(id.uuidString.lowercased()) is a \(description.provider) credential; this call needs an aws one")
        }
        let unsealed: UnsealedCloudCredential
        do {
            unsealed = try await client.json(
                try InternalClient.jsonRequest(.POST, governanceURL.appending(path: "internal/v1/" + path + "/secret").absoluteString,
                                               body: CredentialUse(purpose: purpose, onBehalfOf: identity.subject)),
                as: UnsealedCloudCredential.self, requestID: requestID, limit: 1 << 20)
        } catch let error as InternalCallError {
            // 403 here means this service's account lacks credentials:use: a deployment fault.
            throw Problem(.serviceUnavailable, detail: "governance would not hand the credential to the costs service: \(error.description)")
        }
        guard let key = unsealed.credential["access_key_id"], let secret = unsealed.credential["secret_access_key"] else {
            throw Problem(.badGateway, detail: "credential \(id.uuidString.lowercased()) has no access_key_id and secret_access_key")
        }
        return AWSSigningCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: unsealed.credential["session_token"])
    }
}
