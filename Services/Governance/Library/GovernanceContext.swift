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
    func rolesChanged(_ reason: String) async {
        do {
            try await redis.xadd(GovernancePolicy.rolesChangedStream, fields: ["reason": reason], maxLength: 10_000)
        } catch {
            // Caches also expire on their own; a lost notice delays, it does not corrupt.
            logger.warning("could not announce a role change", metadata: ["error": "\(error)"])
        }
    }

    /// The person behind the caller: the user, or the owner of the API key in use. 401 without a
    /// token, 403 for machine identities (service accounts, nodes) on endpoints meant for people.
    func caller(_ context: CumulusRequestContext) async throws -> UUID {
        let identity = try context.requireIdentity()
        switch identity.kind {
        case .user:
            guard let id = UUID(uuidString: identity.subject) else { throw Problem.unauthorized("the token's subject is not a user id") }
            return id
        case .apiKey:
            guard let key = Self.id(identity.subject, prefix: "apikey:") else { throw Problem.unauthorized("the token's subject is not an API key") }
            for try await owner in try await postgres.query(
                "SELECT owner_id FROM api_keys WHERE id = \(key) AND revoked_at IS NULL AND expires_at > now()", logger: logger
            ).decode(UUID.self) { return owner }
            throw Problem.unauthorized("the API key behind this token is revoked or expired")
        case .service, .node:
            throw Problem(.forbidden, detail: "this endpoint is for people; the token names a \(identity.kind.rawValue)")
        }
    }

    static func id(_ subject: String, prefix: String) -> UUID? {
        subject.hasPrefix(prefix) ? UUID(uuidString: String(subject.dropFirst(prefix.count))) : nil
    }

    /// What the caller's token may do: a user's role bindings; an API key's own permissions, never
    /// more than its owner still holds; a service account's platform permissions; a node's.
    func grants(for identity: Identity) async throws -> [Grant: [[String]]] {
        switch identity.kind {
        case .user:
            guard let user = UUID(uuidString: identity.subject) else { return [:] }
            return try await access.effectiveGrants(of: user)
        case .apiKey:
            guard let key = Self.id(identity.subject, prefix: "apikey:") else { return [:] }
            var result: [Grant: [[String]]] = [:]
            for try await (owner, permissions, kind, scopeID) in try await postgres.query(
                "SELECT owner_id, permissions, scope_kind, scope_id FROM api_keys WHERE id = \(key) AND revoked_at IS NULL AND expires_at > now()", logger: logger
            ).decode((UUID, [String], String, UUID?).self) {
                let ownerGrants = try await access.effectiveGrants(of: owner)
                let scope = ScopeRef(kind: ScopeRef.Kind(rawValue: kind) ?? .platform, id: scopeID)
                let covered = try await scopes(coveredBy: scope)
                for (grant, via) in ownerGrants where permissions.contains(grant.permission) && (scope == .platform || covered.contains(grant.scope)) {
                    result[grant] = via.map { ["api key"] + $0 }
                }
            }
            return result
        case .service:
            guard let account = Self.id(identity.subject, prefix: "service:") else { return [:] }
            var result: [Grant: [[String]]] = [:]
            for try await permissions in try await postgres.query(
                "SELECT permissions FROM service_accounts WHERE id = \(account) AND revoked_at IS NULL", logger: logger
            ).decode([String].self) {
                for permission in permissions { result[Grant(permission: permission, scope: .platform)] = [["service account"]] }
            }
            return result
        case .node:
            guard let node = Self.id(identity.subject, prefix: "node:") else { return [:] }
            var result: [Grant: [[String]]] = [:]
            for try await federation in try await postgres.query(
                "SELECT federation_id FROM nodes WHERE id = \(node) AND revoked_at IS NULL", logger: logger
            ).decode(UUID.self) {
                for permission in Self.nodePermissions { result[Grant(permission: permission, scope: .federation(federation))] = [["node"]] }
            }
            return result
        }
    }

    /// `scope` itself and, for an organisation, the federations it owns.
    func scopes(coveredBy scope: ScopeRef) async throws -> Set<ScopeRef> {
        var result: Set<ScopeRef> = [scope]
        if scope.kind == .organisation, let organisation = scope.id {
            for try await federation in try await postgres.query(
                "SELECT id FROM federations WHERE owner_organisation_id = \(organisation) AND deleted_at IS NULL", logger: logger
            ).decode(UUID.self) { result.insert(.federation(federation)) }
        }
        return result
    }

    /// What an enrolled node may do in its federation.
    static let nodePermissions = ["updates:submit", "tasks:read", "jobs:read", "models:download"]

    /// Checks `permission` in `scope` for the caller. A caller with no standing in that scope at
    /// all gets 404 for `resource` — another tenant's things are not acknowledged to exist; a
    /// caller inside the tenant who lacks the permission gets 403 naming it.
    @discardableResult
    func authorise(_ context: CumulusRequestContext, _ permission: String, in scope: ScopeRef, resource: String) async throws -> UUID {
        let user = try await caller(context)
        let grants = try await grants(for: try context.requireIdentity()).keys
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
