import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Checks an Azure service principal with the OAuth 2.0 client-credentials grant at Microsoft
/// Entra ID ({authority}/{tenant}/oauth2/v2.0/token).
public struct AzureClientCredentialValidator: CloudCredentialValidator {
    public static let defaultAuthority = "https://login.microsoftonline.com"
    public static let defaultScope = "https://management.azure.com/.default"

    let exchange: ProviderExchange
    let authority: String
    let scope: String
    let now: @Sendable () -> Date

    public init(
        http: HTTPClient,
        authority: String = defaultAuthority,
        scope: String = defaultScope,
        timeout: TimeAmount = .seconds(10),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.exchange = ProviderExchange(provider: .azure, http: http, timeout: timeout)
        var authority = Substring(authority)
        while authority.hasSuffix("/") { authority = authority.dropLast() }
        self.authority = String(authority)
        self.scope = scope
        self.now = now
    }

    private struct TokenAnswer: Decodable {
        let access_token: String?
        let error: String?
        let error_description: String?
    }

    public func validate(_ input: AzureCredentialInput) async throws(CredentialValidationError) -> ValidatedCredential {
        try input.validate()
        let url = "\(authority)/\(input.tenantID)/oauth2/v2.0/token"
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: FormEncoding.contentType)
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: FormEncoding.encode([
            ("client_id", input.clientID),
            ("client_secret", input.clientSecret.revealed),
            ("grant_type", "client_credentials"),
            ("scope", scope),
        ])))
        let answer = try await exchange.send(request)
        let decoded = try? JSONDecoder().decode(TokenAnswer.self, from: Data(answer.bytes))

        if answer.status == .ok {
            guard let token = decoded?.access_token, !token.isEmpty else {
                throw exchange.unexpected(answer, url: url, "answer has no access_token")
            }
            var details: [String: String] = [:]
            if let subscriptionID = input.subscriptionID { details["subscription_id"] = subscriptionID }
            return ValidatedCredential(provider: .azure, account: input.tenantID, principal: input.clientID,
                                       validatedAt: now(), details: details)
        }
        // Entra answers 400 (unknown tenant or application, bad request) or 401 (bad secret).
        guard [400, 401, 403].contains(answer.status.code), let error = decoded?.error else {
            throw exchange.unexpected(answer, url: url, "answer is not an OAuth token or error")
        }
        throw .rejected(provider: .azure, code: error, message: decoded?.error_description ?? error)
    }
}
