import Hummingbird

/// Reads `Authorization: Bearer …`, verifies it, and puts the identity and the policy on the
/// context. No header leaves the request anonymous (handlers that need a caller say so with
/// `require`); a header with a bad token is refused at once with 401 and the reason.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = CumulusRequestContext

    let verifier: (any AccessTokenVerifier)?
    let policy: any AuthorizationPolicy

    public init(verifier: (any AccessTokenVerifier)?, policy: any AuthorizationPolicy) {
        self.verifier = verifier
        self.policy = policy
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.policy = policy
        if let header = request.headers[.authorization] {
            guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
                throw Problem.unauthorized("the Authorization header must be 'Bearer <token>'")
            }
            guard let verifier else { throw Problem.unauthorized(TokenRejection.notConfigured.description) }
            do {
                let token = String(header.dropFirst(7))
                let claims = try await verifier.verify(token)
                context.identity = Identity(claims: claims, token: token)
                context.logger[metadataKey: "subject"] = .string(claims.sub.value)
            } catch {
                throw Problem.unauthorized(error.description)
            }
        }
        return try await next(request, context)
    }
}
