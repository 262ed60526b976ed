import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Checks an OpenStack user with Keystone v3 password authentication, scoped to the project,
/// so a user who cannot use that project is refused too.
///
/// The Keystone URL comes from the upload (private clouds have their own), so by default only
/// https is accepted and, when `allowedHosts` is set, only those hosts. This is not a complete
/// defence against server-side request forgery: an allowed name could still resolve to an
/// internal address; deployments that need that should also restrict egress.
public struct KeystoneCredentialValidator: CloudCredentialValidator {
    let exchange: ProviderExchange
    let allowPlainHTTP: Bool
    let allowedHosts: Set<String>?
    let now: @Sendable () -> Date

    public init(
        http: HTTPClient,
        allowPlainHTTP: Bool = false,
        allowedHosts: Set<String>? = nil,
        timeout: TimeAmount = .seconds(10),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.exchange = ProviderExchange(provider: .openstack, http: http, timeout: timeout)
        self.allowPlainHTTP = allowPlainHTTP
        self.allowedHosts = allowedHosts.map { Set($0.map { $0.lowercased() }) }
        self.now = now
    }

    private struct Name: Encodable { let name: String }
    private struct UserRef: Encodable { let name: String; let domain: Name; let password: String }
    private struct PasswordMethod: Encodable { let user: UserRef }
    private struct Identity: Encodable { let methods = ["password"]; let password: PasswordMethod }
    private struct ProjectRef: Encodable { let name: String; let domain: Name }
    private struct Scope: Encodable { let project: ProjectRef }
    private struct Auth: Encodable { let identity: Identity; let scope: Scope }
    private struct AuthRequest: Encodable { let auth: Auth }

    private struct TokenAnswer: Decodable {
        struct Named: Decodable { let id: String?; let name: String? }
        struct Token: Decodable { let user: Named?; let project: Named? }
        let token: Token?
    }

    private struct ErrorAnswer: Decodable {
        struct Body: Decodable { let code: Int?; let message: String?; let title: String? }
        let error: Body?
    }

    public func validate(_ input: OpenStackCredentialInput) async throws(CredentialValidationError) -> ValidatedCredential {
        try input.validate()
        let components = try FieldCheck.httpURL(input.authURL, field: "auth_url")
        if components.scheme?.lowercased() != "https" && !allowPlainHTTP {
            throw .invalidInput(field: "auth_url", reason: "must use https")
        }
        if let allowedHosts, !allowedHosts.contains(components.host?.lowercased() ?? "") {
            throw .invalidInput(field: "auth_url", reason: "host is not on the allowed list")
        }

        let url = input.tokensURL
        let body: Data
        do {
            body = try JSONEncoder().encode(AuthRequest(auth: Auth(
                identity: Identity(password: PasswordMethod(user: UserRef(
                    name: input.username, domain: Name(name: input.effectiveUserDomain), password: input.password.revealed))),
                scope: Scope(project: ProjectRef(name: input.projectName, domain: Name(name: input.effectiveProjectDomain)))
            )))
        } catch {
            throw .invalidInput(field: "password", reason: "cannot be encoded as JSON")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let answer = try await exchange.send(request)

        if answer.status == .created {
            // The token itself (X-Subject-Token) is proof enough; it is never kept or shown.
            guard let subjectToken = answer.headers.first(name: "X-Subject-Token"), !subjectToken.isEmpty,
                  let token = (try? JSONDecoder().decode(TokenAnswer.self, from: Data(answer.bytes)))?.token,
                  let userID = token.user?.id
            else { throw exchange.unexpected(answer, url: url, "answer is not a Keystone token") }
            var details: [String: String] = ["user_name": token.user?.name ?? input.username]
            if let projectID = token.project?.id { details["project_id"] = projectID }
            return ValidatedCredential(provider: .openstack, account: token.project?.name ?? input.projectName,
                                       principal: userID, validatedAt: now(), details: details)
        }
        let error = (try? JSONDecoder().decode(ErrorAnswer.self, from: Data(answer.bytes)))?.error
        // 401: wrong user, password, domain or project; 400/403: Keystone refused the request as
        // made (e.g. a disabled user or a bad domain), also about the credential.
        guard [400, 401, 403].contains(answer.status.code), let message = error?.message else {
            throw exchange.unexpected(answer, url: url, "answer is not a Keystone v3 token or error")
        }
        throw .rejected(provider: .openstack, code: error?.title, message: message)
    }
}
