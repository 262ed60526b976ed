import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import PostgresNIO

/// Log in, refresh, log out, first-start setup, the JWKS and key rotation, and "who am I / what
/// may I do" for the caller.
struct AuthController: Sendable {
    let governance: GovernanceContext

    func addRoutes(to router: Router<CumulusRequestContext>) {
        router.get("/.well-known/jwks.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "max-age=60"],
                     body: .init(byteBuffer: ByteBuffer(bytes: try await governance.keys.jwks())))
        }
        let auth = router.group("/api/v1/auth")
        auth.post("/login") { request, context in try await login(request, context) }
        auth.post("/refresh") { request, context in try await refresh(request, context) }
        auth.post("/logout") { request, context in try await logout(request, context) }
        auth.post("/setup") { request, context in try await setup(request, context) }
        auth.get("/me") { _, context in try await me(context) }
        auth.get("/permissions") { _, context in try await permissions(context) }
        auth.post("/keys/rotate") { _, context in try await rotate(context) }
    }

    static let loginFailed = "login failed: the email or password is wrong, or the account is locked after too many failures"

    func login(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let body = try await request.decode(as: LoginRequest.self, context: context)
        let email = body.email.trimmingCharacters(in: .whitespaces).lowercased()
        guard body.password.count <= 256, email.count <= 254 else { throw Problem.unauthorized(Self.loginFailed) }
        let postgres = governance.postgres, logger = governance.logger

        var found: (id: UUID, organisation: UUID?, hash: String, failures: Int, lockedUntil: Date?, disabled: Bool)?
        for try await row in try await postgres.query(
            "SELECT id, organisation_id, password_hash, failed_logins, locked_until, disabled FROM users WHERE email = \(email)", logger: logger
        ).decode((UUID, UUID?, String, Int, Date?, Bool).self) {
            found = row
        }
        guard let user = found else {
            // Same cost as a real check, so timing does not reveal which emails exist.
            _ = try await governance.verifyPassword(body.password, hash: governance.timingHash)
            try await governance.audit.append(.init(actor: "anonymous", action: "auth:login", target: "user:unknown", outcome: "failure", details: ["reason": "unknown email"]))
            throw Problem.unauthorized(Self.loginFailed)
        }
        if let locked = user.lockedUntil, locked > .now {
            try await governance.audit.append(.init(actor: user.id.uuidString.lowercased(), action: "auth:login", target: "user:\(user.id.uuidString.lowercased())", outcome: "failure", organisationID: user.organisation, details: ["reason": "locked"]))
            throw Problem.unauthorized(Self.loginFailed)
        }
        let matches = try await governance.verifyPassword(body.password, hash: user.hash)
        guard matches, !user.disabled else {
            let failures = user.failures + 1
            let lock = failures >= governance.settings.maxFailedLogins
            let lockedUntil: Date? = lock ? Date.now.addingTimeInterval(governance.settings.lockout.timeInterval) : nil
            try await postgres.withTransaction(logger: logger) { connection in
                try await connection.query(
                    "UPDATE users SET failed_logins = \(lock ? 0 : failures), locked_until = \(lockedUntil) WHERE id = \(user.id)", logger: logger)
                try await governance.audit.append(.init(
                    actor: user.id.uuidString.lowercased(), action: "auth:login", target: "user:\(user.id.uuidString.lowercased())", outcome: "failure",
                    organisationID: user.organisation, details: ["reason": user.disabled ? "disabled" : "wrong password", "locked": lock ? "yes" : "no"]), on: connection)
            }
            throw Problem.unauthorized(Self.loginFailed)
        }
        let pair = try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = \(user.id)", logger: logger)
            try await governance.audit.append(.init(actor: user.id.uuidString.lowercased(), action: "auth:login", target: "user:\(user.id.uuidString.lowercased())", organisationID: user.organisation), on: connection)
            return try await governance.issueTokens(user: user.id, organisation: user.organisation, on: connection)
        }
        return try Response.json(pair, status: .ok)
    }

    /// Rotates a refresh token. A token that was already used means it was stolen (or replayed):
    /// its whole family is revoked, so the thief's and the owner's sessions both end.
    func refresh(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let body = try await request.decode(as: RefreshRequest.self, context: context)
        let logger = governance.logger
        enum Outcome: Sendable { case issued(TokenPair), reused(UUID, UUID), invalid }
        let outcome: Outcome = try await governance.postgres.withTransaction(logger: logger) { connection in
            var row: (id: UUID, family: UUID, user: UUID, expires: Date, used: Date?, revoked: Date?)?
            for try await found in try await connection.query(
                "SELECT id, family_id, user_id, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = \(Secrets.digest(body.refreshToken)) FOR UPDATE",
                logger: logger
            ).decode((UUID, UUID, UUID, Date, Date?, Date?).self) {
                row = found
            }
            guard let token = row, token.revoked == nil, token.expires > .now else { return .invalid }
            if token.used != nil {
                try await connection.query("UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = \(token.family) AND revoked_at IS NULL", logger: logger)
                try await governance.audit.append(.init(actor: token.user.uuidString.lowercased(), action: "auth:refresh-reuse", target: "token-family:\(token.family.uuidString.lowercased())", outcome: "revoked"), on: connection)
                return .reused(token.user, token.family)
            }
            try await connection.query("UPDATE refresh_tokens SET used_at = now() WHERE id = \(token.id)", logger: logger)
            let organisation = try await governance.organisation(ofUser: token.user)
            return .issued(try await governance.issueTokens(user: token.user, organisation: organisation, family: token.family, on: connection))
        }
        switch outcome {
        case .issued(let pair): return try Response.json(pair, status: .ok)
        case .reused: throw Problem.unauthorized("this refresh token was already used; every session from it has been revoked — log in again")
        case .invalid: throw Problem.unauthorized("the refresh token is unknown, expired or revoked — log in again")
        }
    }

    func logout(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let body = try await request.decode(as: RefreshRequest.self, context: context)
        try await governance.postgres.query(
            """
            UPDATE refresh_tokens SET revoked_at = now() WHERE revoked_at IS NULL
               AND family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = \(Secrets.digest(body.refreshToken)))
            """, logger: governance.logger)
        return Response(status: .noContent)
    }

    /// Creates the platform administrator with the one-time token printed at first start.
    func setup(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let body = try await request.decode(as: SetupRequest.self, context: context)
        let email = try Validation.email(body.email)
        let password = try Validation.password(body.password)
        let name = try Validation.text(body.displayName, field: "displayName", length: 1...200)
        let hash = try await governance.hashPassword(password)
        let logger = governance.logger
        let user: UUID? = try await governance.postgres.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                "UPDATE setup_tokens SET used_at = now() WHERE token_hash = \(Secrets.digest(body.token)) AND used_at IS NULL AND expires_at > now() RETURNING 1",
                logger: logger)
            var valid = false
            for try await _ in rows { valid = true }
            guard valid else { return nil }
            let id = try await GovernanceBootstrap.createPlatformAdmin(email: email, displayName: name, passwordHash: hash, on: connection, governance: governance)
            return id
        }
        guard let user else { throw Problem.unauthorized("the setup token is unknown, used or expired") }
        return try Response.json(["userId": user.uuidString.lowercased()], status: .created)
    }

    func me(_ context: CumulusRequestContext) async throws -> Response {
        let user = try await governance.caller(context)
        var found: User?
        for try await (organisation, email, name, disabled) in try await governance.postgres.query(
            "SELECT organisation_id, email, display_name, disabled FROM users WHERE id = \(user)", logger: governance.logger
        ).decode((UUID?, String, String, Bool).self) {
            found = User(id: user, organisationId: organisation, email: email, displayName: name, disabled: disabled)
        }
        guard let found else { throw Problem.notFound("user") }
        return try Response.json(found, status: .ok)
    }

    /// The caller's effective grants; other services cache this to answer `require(...)`.
    func permissions(_ context: CumulusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let grants = try await governance.grants(for: identity).keys.sorted { ($0.permission, $0.scope.description) < ($1.permission, $1.scope.description) }
        return try Response.json(EffectivePermissions(subject: identity.subject, organisationId: identity.organisation, grants: grants))
    }

    func rotate(_ context: CumulusRequestContext) async throws -> Response {
        let user = try await governance.authorise(context, "service-accounts:manage", in: .platform, resource: "signing keys")
        let kid = try await governance.keys.rotate()
        try await governance.audit.append(.init(actor: user.uuidString.lowercased(), action: "service-accounts:manage", target: "signing-key:\(kid)", details: ["operation": "rotate"]))
        return try Response.json(["activeKeyId": kid], status: .ok)
    }


}
