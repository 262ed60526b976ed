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

    public func validate(_ input: AzureCredentialInput) async throws(CredentialValidationError) -> ValidatedCredential {
        try input.validate()
        let url = "\(authority)/\(input.tenantID)/oauth2/v2.0/token"
        // Entra answers 400 (unknown tenant or application, bad request) or 401 (bad secret).
        try await exchange.requestOAuthToken(url: url, form: [
            ("client_id", input.clientID),
            ("client_secret", input.clientSecret.revealed),
            ("grant_type", "client_credentials"),
            ("scope", scope),
        ])
        var details: [String: String] = [:]
        if let subscriptionID = input.subscriptionID { details["subscription_id"] = subscriptionID }
        return ValidatedCredential(provider: .azure, account: input.tenantID, principal: input.clientID, validatedAt: now(), details: details)
    }
}
