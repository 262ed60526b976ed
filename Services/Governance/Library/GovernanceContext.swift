import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import Logging
import NIOPosix
import PostgresNIO

/// What governance's handlers share. Built once at start.
struct GovernanceContext: Sendable {
    let postgres: PostgresClient
    let redis: RedisPool
    let settings: GovernanceSettings
    let keys: SigningKeyStore
    let access: AccessStore
    let audit: AuditLog
    let issuer: String
    let logger: Logger
    /// A bcrypt hash of a random string: checking a password against it costs what a real check
    /// costs, so timing does not tell which emails exist.
    let timingHash: String

    /// Tells every service's permission cache to forget what it knew (see GovernancePolicy).
    static let rolesChangedStream = "cumulus.roles.changed"

    func rolesChanged(_ reason: String) async {
        do {
            try await redis.xadd(Self.rolesChangedStream, fields: ["reason": reason], maxLength: 10_000)
        } catch {
            // Caches also expire on their own; a lost notice delays, it does not corrupt.
            logger.warning("could not announce a role change", metadata: ["error": "\(error)"])
        }
    }

    /// The caller as a user id; 401 without a token, 403 for tokens that are not a user's.
    func caller(_ context: CumulusRequestContext) throws -> UUID {
        let identity = try context.requireIdentity()
        guard identity.kind == .user, let id = UUID(uuidString: identity.subject) else {
            throw Problem(.forbidden, detail: "this endpoint is for users; the token names a \(identity.kind.rawValue)")
        }
        return id
    }

    /// Checks `permission` in `scope` for the caller. A caller with no standing in that scope at
    /// all gets 404 for `resource` — another tenant's things are not acknowledged to exist; a
    /// caller inside the tenant who lacks the permission gets 403 naming it.
    @discardableResult
    func authorise(_ context: CumulusRequestContext, _ permission: String, in scope: ScopeRef, resource: String) async throws -> UUID {
        let user = try caller(context)
        let grants = try await access.effectiveGrants(of: user).keys
        if grants.contains(Grant(permission: permission, scope: scope)) || grants.contains(Grant(permission: permission, scope: .platform)) {
            return user
        }
        if try await hasStanding(user: user, grants: Set(grants), in: scope) {
            throw Problem.forbidden(permission: permission, scope: scope.description)
        }
        throw Problem.notFound(resource)
    }

    private func hasStanding(user: UUID, grants: Set<Grant>, in scope: ScopeRef) async throws -> Bool {
        if grants.contains(where: { $0.scope == scope || $0.scope == .platform }) { return true }
        guard let id = scope.id else { return false }
        let organisation = try await organisation(ofUser: user)
        switch scope.kind {
        case .platform: return false
        case .organisation: return organisation == id
        case .federation:
            guard let organisation else { return false }
            let rows = try await postgres.query(
                """
                SELECT 1 FROM federations f WHERE f.id = \(id) AND f.deleted_at IS NULL AND (f.owner_organisation_id = \(organisation)
                   OR EXISTS (SELECT 1 FROM federation_members m WHERE m.federation_id = f.id AND m.organisation_id = \(organisation)))
                """, logger: logger)
            for try await _ in rows { return true }
            return false
        }
    }

    func organisation(ofUser user: UUID) async throws -> UUID? {
        for try await organisation in try await postgres.query("SELECT organisation_id FROM users WHERE id = \(user)", logger: logger).decode(UUID?.self) {
            return organisation
        }
        return nil
    }

    /// bcrypt is deliberately slow: it runs on NIO's blocking thread pool, never on an event loop.
    func hashPassword(_ password: String) async throws -> String {
        let cost = settings.bcryptCost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verifyPassword(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    func issueTokens(user: UUID, organisation: UUID?, family: UUID = UUID(), on connection: PostgresConnection) async throws -> TokenPair {
        let lifetime = settings.accessTokenLifetime.timeInterval
        let access = try await keys.sign(AccessTokenClaims(subject: user.uuidString.lowercased(), issuer: issuer, kind: .user, organisation: organisation, lifetime: lifetime))
        let refresh = Secrets.make(prefix: "crt_")
        let expires = Date.now.addingTimeInterval(settings.refreshTokenLifetime.timeInterval)
        try await connection.query(
            "INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, expires_at) VALUES (\(UUID()), \(family), \(user), \(Secrets.digest(refresh)), \(expires))",
            logger: logger)
        return TokenPair(accessToken: access, refreshToken: refresh, expiresIn: Int(lifetime))
    }
}

import HummingbirdBcrypt
