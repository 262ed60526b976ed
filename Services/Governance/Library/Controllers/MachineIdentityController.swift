import Crypto
import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import PostgresNIO

/// Identities that are not people: service accounts (client credentials), API keys for scripts,
/// and participant nodes (one-time enrolment tokens, then tokens earned by signing with the
/// node's own key). Every secret is shown once and stored only as a hash.
struct MachineIdentityController: Sendable {
    let governance: GovernanceContext

    func addRoutes(to router: Router<CumulusRequestContext>) {
        let auth = router.group("/api/v1/auth")
        auth.post("/token") { request, context in try await token(request, context) }
        auth.post("/service-accounts") { request, context in try await createServiceAccount(request, context) }
        auth.delete("/service-accounts/{id}") { _, context in try await revokeServiceAccount(context) }
        auth.post("/api-keys") { request, context in try await createAPIKey(request, context) }
        auth.get("/api-keys") { _, context in try await listAPIKeys(context) }
        auth.delete("/api-keys/{id}") { _, context in try await revokeAPIKey(context) }
        auth.post("/enrol") { request, context in try await enrol(request, context) }
        auth.post("/node-token") { request, context in try await nodeToken(request, context) }
        auth.delete("/nodes/{id}") { _, context in try await revokeNode(context) }
        router.post("/api/v1/federations/{id}/enrolment-tokens") { request, context in try await createEnrolmentToken(request, context) }
    }

    // MARK: tokens for machines

    func token(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let body = try await request.decode(as: TokenRequest.self, context: context)
        switch body.grantType {
        case "client_credentials":
            guard let clientID = body.clientId, let secret = body.clientSecret, let account = UUID(uuidString: clientID.replacingOccurrences(of: "svc_", with: "")) else {
                throw Problem.unauthorized("client_credentials needs clientId and clientSecret")
            }
            var valid = false
            for try await _ in try await governance.postgres.query(
                "SELECT 1 FROM service_accounts WHERE id = \(account) AND secret_hash = \(Secrets.digest(secret)) AND revoked_at IS NULL", logger: governance.logger
            ) { valid = true }
            guard valid else {
                try await governance.audit.append(.init(actor: "service:\(account.uuidString.lowercased())", action: "auth:token", target: "service-account", outcome: "failure"))
                throw Problem.unauthorized("the client id or secret is wrong, or the service account is revoked")
            }
            return try await issue(subject: "service:\(account.uuidString.lowercased())", kind: .service, organisation: nil)
        case "api_key":
            guard let key = body.apiKey else { throw Problem.invalidField("apiKey", "is required for grant type api_key") }
            var found: (id: UUID, owner: UUID)?
            for try await row in try await governance.postgres.query(
                """
                UPDATE api_keys SET last_used_at = now() WHERE key_hash = \(Secrets.digest(key)) AND revoked_at IS NULL AND expires_at > now()
                RETURNING id, owner_id
                """, logger: governance.logger
            ).decode((UUID, UUID).self) { found = row }
            guard let found else { throw Problem.unauthorized("the API key is unknown, revoked or expired") }
            let organisation = try await governance.organisation(ofUser: found.owner)
            return try await issue(subject: "apikey:\(found.id.uuidString.lowercased())", kind: .apiKey, organisation: organisation)
        default:
            throw Problem.invalidField("grantType", "must be client_credentials or api_key (people log in at /api/v1/auth/login)")
        }
    }

    private func issue(subject: String, kind: AccessTokenClaims.SubjectKind, organisation: UUID?) async throws -> Response {
        let lifetime = governance.settings.accessTokenLifetime.timeInterval
        let token = try await governance.keys.sign(AccessTokenClaims(subject: subject, issuer: governance.issuer, kind: kind, organisation: organisation, lifetime: lifetime))
        return try Response.json(AccessToken(accessToken: token, expiresIn: Int(lifetime)))
    }

    // MARK: service accounts

    func createServiceAccount(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let actor = try await governance.authorise(context, "service-accounts:manage", in: .platform, resource: "service accounts")
        let body = try await request.decode(as: NewServiceAccount.self, context: context)
        let name = try Validation.text(body.name, field: "name", length: 2...80)
        try Self.requireKnown(body.permissions)
        let id = UUID()
        let secret = Secrets.make(prefix: "css_")
        do {
            try await governance.postgres.withTransaction(logger: governance.logger) { connection in
                try await connection.query(
                    "INSERT INTO service_accounts (id, name, secret_hash, permissions, created_by) VALUES (\(id), \(name), \(Secrets.digest(secret)), \(body.permissions), \(actor))",
                    logger: governance.logger)
                try await governance.audit.append(.init(actor: actor.uuidString.lowercased(), action: "service-accounts:manage", target: "service:\(id.uuidString.lowercased())",
                                                        details: ["name": name, "permissions": body.permissions.joined(separator: " ")]), on: connection)
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw Problem.conflict("a service account named '\(name)' already exists")
        }
        return try Response.json(ServiceAccountCreated(id: id, name: name, clientId: "svc_\(id.uuidString.lowercased())", clientSecret: secret, permissions: body.permissions), status: .created)
    }

    func revokeServiceAccount(_ context: CumulusRequestContext) async throws -> Response {
        let actor = try await governance.authorise(context, "service-accounts:manage", in: .platform, resource: "service accounts")
        let id = try context.parameters.require("id", as: UUID.self)
        var revoked = false
        for try await _ in try await governance.postgres.query(
            "UPDATE service_accounts SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL RETURNING 1", logger: governance.logger
        ) { revoked = true }
        guard revoked else { throw Problem.notFound("service account \(id.uuidString.lowercased())") }
        try await governance.audit.append(.init(actor: actor.uuidString.lowercased(), action: "service-accounts:manage", target: "service:\(id.uuidString.lowercased())", outcome: "revoked"))
        return Response(status: .noContent)
    }

    // MARK: API keys

    /// A key for the caller's scripts: it holds at most what the caller holds in its scope.
    func createAPIKey(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let body = try await request.decode(as: NewAPIKey.self, context: context)
        let user = try await governance.authorise(context, "apikeys:manage", in: body.scope, resource: body.scope.description)
        let name = try Validation.text(body.name, field: "name", length: 1...80)
        try Self.requireKnown(body.permissions)
        // What the token in use holds: a key used to make a key can only hand on what it has itself.
        let held = try await governance.grants(for: try context.requireIdentity()).keys
        for (index, permission) in body.permissions.enumerated()
        where !held.contains(Grant(permission: permission, scope: body.scope)) && !held.contains(Grant(permission: permission, scope: .platform)) {
            throw Problem.invalidField("permissions[\(index)]", "you do not hold \(permission) in \(body.scope), so a key of yours cannot either")
        }
        let days = body.expiresInDays ?? 90
        guard (1...365).contains(days) else { throw Problem.invalidField("expiresInDays", "must be 1 to 365", limit: "365") }
        let id = UUID()
        let key = Secrets.make(prefix: "cak_")
        let now = Date(timeIntervalSince1970: Date.now.timeIntervalSince1970.rounded(.down))
        let apiKey = APIKey(id: id, name: name, permissions: body.permissions, scope: body.scope, createdAt: now,
                            expiresAt: now.addingTimeInterval(Double(days) * 86_400), lastUsedAt: nil, revoked: false)
        try await governance.postgres.withTransaction(logger: governance.logger) { connection in
            try await connection.query(
                """
                INSERT INTO api_keys (id, owner_id, name, key_hash, permissions, scope_kind, scope_id, created_at, expires_at)
                VALUES (\(id), \(user), \(name), \(Secrets.digest(key)), \(body.permissions), \(body.scope.kind.rawValue), \(body.scope.id), \(now), \(apiKey.expiresAt))
                """, logger: governance.logger)
            try await governance.audit.append(.init(actor: user.uuidString.lowercased(), action: "apikeys:manage", target: "apikey:\(id.uuidString.lowercased())",
                                                    details: ["name": name, "permissions": body.permissions.joined(separator: " ")]), on: connection)
        }
        return try Response.json(APIKeyCreated(apiKey: apiKey, key: key), status: .created)
    }

    func listAPIKeys(_ context: CumulusRequestContext) async throws -> Response {
        let user = try await governance.caller(context)
        var keys: [APIKey] = []
        for try await row in try await governance.postgres.query(
            "SELECT id, name, permissions, scope_kind, scope_id, created_at, expires_at, last_used_at, revoked_at IS NOT NULL FROM api_keys WHERE owner_id = \(user) ORDER BY created_at",
            logger: governance.logger
        ).decode((UUID, String, [String], String, UUID?, Date, Date, Date?, Bool).self) {
            keys.append(APIKey(id: row.0, name: row.1, permissions: row.2, scope: ScopeRef(kind: ScopeRef.Kind(rawValue: row.3) ?? .platform, id: row.4),
                               createdAt: row.5, expiresAt: row.6, lastUsedAt: row.7, revoked: row.8))
        }
        return try Response.json(keys)
    }

    func revokeAPIKey(_ context: CumulusRequestContext) async throws -> Response {
        let user = try await governance.caller(context)
        let id = try context.parameters.require("id", as: UUID.self)
        var revoked = false
        for try await _ in try await governance.postgres.query(
            "UPDATE api_keys SET revoked_at = now() WHERE id = \(id) AND owner_id = \(user) AND revoked_at IS NULL RETURNING 1", logger: governance.logger
        ) { revoked = true }
        guard revoked else { throw Problem.notFound("API key \(id.uuidString.lowercased())") }
        try await governance.audit.append(.init(actor: user.uuidString.lowercased(), action: "apikeys:manage", target: "apikey:\(id.uuidString.lowercased())", outcome: "revoked"))
        return Response(status: .noContent)
    }

    // MARK: nodes

    func createEnrolmentToken(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let federation = try context.parameters.require("id", as: UUID.self)
        let body = try await request.decode(as: NewEnrolmentToken.self, context: context)
        let actor = try await governance.authorise(context, "enrolment-tokens:create", in: .organisation(body.organisationId), resource: "organisation \(body.organisationId.uuidString.lowercased())")
        var member = false
        for try await _ in try await governance.postgres.query(
            """
            SELECT 1 FROM federation_members m JOIN federations f ON f.id = m.federation_id
            WHERE m.federation_id = \(federation) AND m.organisation_id = \(body.organisationId) AND m.status = 'active' AND f.deleted_at IS NULL
            """, logger: governance.logger
        ) { member = true }
        guard member else { throw Problem.notFound("federation \(federation.uuidString.lowercased()) with organisation \(body.organisationId.uuidString.lowercased()) as an active member") }
        let minutes = body.expiresInMinutes ?? 60
        guard (1...(7 * 24 * 60)).contains(minutes) else { throw Problem.invalidField("expiresInMinutes", "must be 1 to 10080 (a week)", limit: "10080") }
        let token = Secrets.make(prefix: "cet_")
        let expires = Date(timeIntervalSince1970: Date.now.timeIntervalSince1970.rounded(.down) + Double(minutes * 60))
        try await governance.postgres.withTransaction(logger: governance.logger) { connection in
            let id = UUID()
            try await connection.query(
                """
                INSERT INTO enrolment_tokens (id, token_hash, organisation_id, federation_id, created_by, expires_at)
                VALUES (\(id), \(Secrets.digest(token)), \(body.organisationId), \(federation), \(actor), \(expires))
                """, logger: governance.logger)
            try await governance.audit.append(.init(actor: actor.uuidString.lowercased(), action: "enrolment-tokens:create", target: "enrolment-token:\(id.uuidString.lowercased())",
                                                    organisationID: body.organisationId, federationID: federation, details: ["expiresInMinutes": String(minutes)]), on: connection)
        }
        return try Response.json(EnrolmentTokenCreated(token: token, organisationId: body.organisationId, federationId: federation, expiresAt: expires), status: .created)
    }

    /// Exchanges a one-time enrolment token for a node identity bound to the node's public keys.
    func enrol(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let body = try await request.decode(as: EnrolmentRequest.self, context: context)
        let hostname = try Validation.text(body.hostname, field: "hostname", length: 1...253)
        guard let signing = Data(base64Encoded: body.signingPublicKey), let verifyingKey = try? Curve25519.Signing.PublicKey(rawRepresentation: signing) else {
            throw Problem.invalidField("signingPublicKey", "must be a base64 Ed25519 public key (32 bytes)")
        }
        guard let agreement = Data(base64Encoded: body.agreementPublicKey), (try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: agreement)) != nil else {
            throw Problem.invalidField("agreementPublicKey", "must be a base64 X25519 public key (32 bytes)")
        }
        let logger = governance.logger
        let node = UUID()
        let enrolled: EnrolledNode? = try await governance.postgres.withTransaction(logger: logger) { connection in
            var claimed: (id: UUID, organisation: UUID, federation: UUID)?
            for try await row in try await connection.query(
                """
                UPDATE enrolment_tokens SET used_at = now(), node_id = \(node)
                WHERE token_hash = \(Secrets.digest(body.token)) AND used_at IS NULL AND expires_at > now()
                RETURNING id, organisation_id, federation_id
                """, logger: logger
            ).decode((UUID, UUID, UUID).self) { claimed = row }
            guard let claimed else { return nil }
            try await connection.query(
                """
                INSERT INTO nodes (id, organisation_id, federation_id, hostname, signing_public_key, agreement_public_key)
                VALUES (\(node), \(claimed.organisation), \(claimed.federation), \(hostname), \(ByteBuffer(bytes: verifyingKey.rawRepresentation)), \(ByteBuffer(bytes: agreement)))
                """, logger: logger)
            try await governance.audit.append(.init(actor: "node:\(node.uuidString.lowercased())", action: "enrolment-tokens:use", target: "enrolment-token:\(claimed.id.uuidString.lowercased())",
                                                    organisationID: claimed.organisation, federationID: claimed.federation, details: ["hostname": hostname]), on: connection)
            return EnrolledNode(nodeId: node, organisationId: claimed.organisation, federationId: claimed.federation)
        }
        guard let enrolled else {
            try await governance.audit.append(.init(actor: "anonymous", action: "enrolment-tokens:use", target: "enrolment-token:unknown", outcome: "failure", details: ["hostname": hostname]))
            throw Problem.unauthorized("the enrolment token is unknown, already used or expired; ask your organisation's administrator for a new one")
        }
        return try Response.json(enrolled, status: .created)
    }

    /// A node earns an access token by signing a fresh timestamp with its enrolled key; a
    /// timestamp not newer than its last one (a replay) or more than a minute off is refused.
    func nodeToken(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let body = try await request.decode(as: NodeTokenRequest.self, context: context)
        let now = Int64(Date.now.timeIntervalSince1970 * 1000)
        guard abs(now - body.timestamp) <= 60_000 else { throw Problem.unauthorized("the timestamp is more than a minute from the server's clock; check the node's time") }
        guard let signature = Data(base64Encoded: body.signature) else { throw Problem.invalidField("signature", "must be base64") }
        var found: (key: ByteBuffer, organisation: UUID, last: Int64)?
        for try await row in try await governance.postgres.query(
            "SELECT signing_public_key, organisation_id, last_token_timestamp FROM nodes WHERE id = \(body.nodeId) AND revoked_at IS NULL", logger: governance.logger
        ).decode((ByteBuffer, UUID, Int64).self) { found = row }
        guard let node = found, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: Array(node.key.readableBytesView)),
              key.isValidSignature(signature, for: NodeTokenRequest.message(nodeId: body.nodeId, timestamp: body.timestamp))
        else { throw Problem.unauthorized("the node is unknown or revoked, or the signature does not verify") }
        var advanced = false
        for try await _ in try await governance.postgres.query(
            "UPDATE nodes SET last_token_timestamp = \(body.timestamp) WHERE id = \(body.nodeId) AND last_token_timestamp < \(body.timestamp) RETURNING 1", logger: governance.logger
        ) { advanced = true }
        guard advanced else { throw Problem.unauthorized("this signed timestamp was already used; sign a new one") }
        return try await issue(subject: "node:\(body.nodeId.uuidString.lowercased())", kind: .node, organisation: node.organisation)
    }

    /// Revokes a node. Its current token still verifies, so every service's permission cache is
    /// told to forget: the node's next request finds no standing and gets 401.
    func revokeNode(_ context: CumulusRequestContext) async throws -> Response {
        let id = try context.parameters.require("id", as: UUID.self)
        var organisation: UUID?
        var federation: UUID?
        for try await (org, fed) in try await governance.postgres.query(
            "SELECT organisation_id, federation_id FROM nodes WHERE id = \(id) AND revoked_at IS NULL", logger: governance.logger
        ).decode((UUID, UUID).self) { organisation = org; federation = fed }
        guard let organisation else { throw Problem.notFound("node \(id.uuidString.lowercased())") }
        let actor = try await governance.authorise(context, "nodes:manage", in: .organisation(organisation), resource: "node \(id.uuidString.lowercased())")
        try await governance.postgres.withTransaction(logger: governance.logger) { connection in
            try await connection.query("UPDATE nodes SET revoked_at = now() WHERE id = \(id)", logger: governance.logger)
            try await governance.audit.append(.init(actor: actor.uuidString.lowercased(), action: "nodes:manage", target: "node:\(id.uuidString.lowercased())",
                                                    outcome: "revoked", organisationID: organisation, federationID: federation), on: connection)
        }
        await governance.rolesChanged("node \(id.uuidString.lowercased()) revoked")
        return Response(status: .noContent)
    }

    static func requireKnown(_ permissions: [String]) throws {
        guard permissions.count <= PermissionCatalog.all.count else { throw Problem.invalidField("permissions", "too many", limit: "\(PermissionCatalog.all.count)") }
        for (index, permission) in permissions.enumerated() where !PermissionCatalog.isKnown(permission) {
            throw Problem.invalidField("permissions[\(index)]", "'\(permission)' is not a permission; GET /api/v1/roles/permissions lists them")
        }
    }
}
