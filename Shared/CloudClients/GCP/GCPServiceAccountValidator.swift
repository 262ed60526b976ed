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

    private struct TokenAnswer: Decodable {
        let access_token: String?
        let error: String?
        let error_description: String?
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

        var request = HTTPClientRequest(url: input.tokenURI)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: FormEncoding.contentType)
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: FormEncoding.encode([
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", assertion),
        ])))
        let answer = try await exchange.send(request)
        let decoded = try? JSONDecoder().decode(TokenAnswer.self, from: Data(answer.bytes))

        if answer.status == .ok {
            guard let token = decoded?.access_token, !token.isEmpty else {
                throw exchange.unexpected(answer, url: input.tokenURI, "answer has no access_token")
            }
            var details = ["private_key_id": input.privateKeyID]
            if let clientID = input.clientID { details["client_id"] = clientID }
            return ValidatedCredential(provider: .gcp, account: input.projectID, principal: input.clientEmail,
                                       validatedAt: now(), details: details)
        }
        // OAuth errors (RFC 6749 §5.2) come with 400 or 401; anything else is not about the key.
        guard [400, 401, 403].contains(answer.status.code), let error = decoded?.error else {
            throw exchange.unexpected(answer, url: input.tokenURI, "answer is not an OAuth token or error")
        }
        throw .rejected(provider: .gcp, code: error, message: decoded?.error_description ?? error)
    }
}
