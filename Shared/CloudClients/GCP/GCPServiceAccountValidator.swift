import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Checks a service-account key by exchanging a signed JWT for an access token at the key's
/// token_uri. The token_uri comes from the uploaded file, so it is only used when it is on the
/// configured allow-list: otherwise anyone uploading a key could make governance send requests
/// to an address of their choosing (server-side request forgery).
public struct GCPServiceAccountValidator: CloudCredentialValidator {
    public static let defaultTokenURI = "https://oauth2.googleapis.com/token"
    public static let defaultScope = "https://www.googleapis.com/auth/cloud-platform"

    let exchange: ProviderExchange
    let allowedTokenURIs: Set<String>
    let scope: String
    let now: @Sendable () -> Date

    /// - Parameter allowedTokenURIs: token endpoints a key may name, compared as exact strings.
    public init(
        http: HTTPClient,
        allowedTokenURIs: Set<String> = [defaultTokenURI],
        scope: String = defaultScope,
        timeout: TimeAmount = .seconds(10),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.exchange = ProviderExchange(provider: .gcp, http: http, timeout: timeout)
        self.allowedTokenURIs = allowedTokenURIs
        self.scope = scope
        self.now = now
    }

    public func validate(_ input: GCPServiceAccountKey) async throws(CredentialValidationError) -> ValidatedCredential {
        try input.validate()
        guard allowedTokenURIs.contains(input.tokenURI) else {
            throw .invalidInput(field: "token_uri", reason: "not an allowed token endpoint (allowed: \(allowedTokenURIs.sorted().joined(separator: ", ")))")
        }
        let key = try input.signingKey()
        let assertion: String
        do {
            assertion = try ServiceAccountJWT(keyID: input.privateKeyID, issuer: input.clientEmail, scope: scope,
                                              audience: input.tokenURI, issuedAt: now()).signed(with: key)
        } catch {
            throw .invalidInput(field: "private_key", reason: "cannot sign with this key")
        }

        try await exchange.requestOAuthToken(url: input.tokenURI, form: [
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", assertion),
        ])
        var details = ["private_key_id": input.privateKeyID]
        if let clientID = input.clientID { details["client_id"] = clientID }
        return ValidatedCredential(provider: .gcp, account: input.projectID, principal: input.clientEmail, validatedAt: now(), details: details)
    }
}
