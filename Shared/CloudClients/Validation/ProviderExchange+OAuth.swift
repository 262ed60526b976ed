import AsyncHTTPClient
import Foundation
import NIOCore

extension ProviderExchange {
    private struct TokenAnswer: Decodable {
        let access_token: String?
        let error: String?
        let error_description: String?
    }

    /// An OAuth 2.0 token request (RFC 6749): a form POST that succeeds with an `access_token`
    /// or is refused with `error` and `error_description` (§5.2, sent with 400, 401 or 403).
    /// Returns when the provider issued a token; a refusal becomes `.rejected` with the
    /// provider's own words; anything else is not about the credential and becomes unavailable.
    func requestOAuthToken(url: String, form: [(name: String, value: String)]) async throws(CredentialValidationError) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: FormEncoding.contentType)
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: FormEncoding.encode(form)))
        let answer = try await send(request)
        let decoded = try? JSONDecoder().decode(TokenAnswer.self, from: Data(answer.bytes))
        if answer.status == .ok {
            guard let token = decoded?.access_token, !token.isEmpty else {
                throw unexpected(answer, url: url, "answer has no access_token")
            }
            return
        }
        guard [400, 401, 403].contains(answer.status.code), let error = decoded?.error else {
            throw unexpected(answer, url: url, "answer is not an OAuth token or error")
        }
        throw .rejected(provider: provider, code: error, message: decoded?.error_description ?? error)
    }
}
