import CumulusAPI
import CumulusKit
import Foundation
import Logging
import PostgresNIO

/// First-start work: built-in roles, a signing key, and the platform administrator — from the
/// environment, or through a one-time setup token printed to the log. There is no default password.
enum GovernanceBootstrap {
    static func run(_ governance: GovernanceContext) async throws {
        try await governance.access.syncBuiltInRoles()
        try await governance.keys.prepare()
        try await syncServiceAccounts(governance)
        let logger = governance.logger
        let decision: String? = try await governance.postgres.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('cumulus.bootstrap'))", logger: logger)
            var hasUsers = false
            for try await _ in try await connection.query("SELECT 1 FROM users LIMIT 1", logger: logger) { hasUsers = true }
            if hasUsers { return nil }
            if let email = governance.settings.adminEmail, let password = governance.settings.adminPassword {
                let hash = try await governance.hashPassword(password)
                _ = try await createPlatformAdmin(email: try Validation.email(email), displayName: "Platform administrator", passwordHash: hash, on: connection, governance: governance)
                return "admin-from-environment"
            }
            var pending = false
            for try await _ in try await connection.query("SELECT 1 FROM setup_tokens WHERE used_at IS NULL AND expires_at > now()", logger: logger) { pending = true }
            if pending { return "setup-token-pending" }
            let token = Secrets.make(prefix: "cst_")
            try await connection.query(
                "INSERT INTO setup_tokens (token_hash, expires_at) VALUES (\(Secrets.digest(token)), now() + interval '24 hours')", logger: logger)
            return token
        }
        switch decision {
        case nil, "admin-from-environment"?: break
        case "setup-token-pending"?:
            logger.notice("no administrator yet and a setup token is still valid; restart after it expires for a new one")
        case let token?:
            logger.notice(
                "no administrator yet: POST /api/v1/auth/setup with this one-time token (valid 24 hours) to create one",
                metadata: ["setup_token": .string(token)])
        }
    }

    /// The suite's own services get their accounts with exactly the catalogue's permissions; a
    /// changed secret or permission list is applied on the next start.
    static func syncServiceAccounts(_ governance: GovernanceContext) async throws {
        for (account, credentials) in governance.settings.serviceAccounts {
            try await governance.postgres.query(
                """
                INSERT INTO service_accounts (id, name, secret_hash, permissions, created_by)
                VALUES (\(credentials.id), \("cumulus-" + account.rawValue), \(Secrets.digest(credentials.secret)), \(account.permissions), NULL)
                ON CONFLICT (id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, permissions = EXCLUDED.permissions, revoked_at = NULL
                """, logger: governance.logger)
        }
        if !governance.settings.serviceAccounts.isEmpty {
            governance.logger.info("service accounts ready", metadata: ["accounts": "\(governance.settings.serviceAccounts.keys.map(\.rawValue).sorted())"])
        }
    }

    static func createPlatformAdmin(email: String, displayName: String, passwordHash: String, on connection: PostgresConnection, governance: GovernanceContext) async throws -> UUID {
        let id = UUID()
        try await connection.query(
            "INSERT INTO users (id, organisation_id, email, display_name, password_hash) VALUES (\(id), NULL, \(email), \(displayName), \(passwordHash))",
            logger: governance.logger)
        try await connection.query(
            "INSERT INTO role_bindings (id, user_id, role_id, scope_kind, scope_id) VALUES (\(UUID()), \(id), \(AccessStore.builtInID(.platformAdmin)), 'platform', NULL)",
            logger: governance.logger)
        try await governance.audit.append(.init(actor: "system", action: "roles:grant-admin", target: "user:\(id.uuidString.lowercased())", details: ["role": "platform-admin", "via": "bootstrap"]), on: connection)
        return id
    }
}
