import Crypto
import CumulusKit
import Foundation
import Logging
import PostgresNIO

/// Governance's token signing keys: Ed25519, sealed at rest, newest unretired one signs.
/// Rotation adds a key and retires the old one; a retired key stays in the JWKS until every
/// token it signed has expired, so rotating logs nobody out.
actor SigningKeyStore: AccessTokenVerifier {
    private let postgres: PostgresClient
    private let secretBox: SecretBox
    private let issuer: String
    private let tokenLifetime: Duration
    private let logger: Logger
    private var published: [TokenSigningKey] = []
    private var active: TokenSigningKey?
    private var verifier: StaticKeyVerifier?

    init(postgres: PostgresClient, secretBox: SecretBox, issuer: String, tokenLifetime: Duration, logger: Logger) {
        self.postgres = postgres
        self.secretBox = secretBox
        self.issuer = issuer
        self.tokenLifetime = tokenLifetime
        self.logger = logger
    }

    /// Makes sure a signing key exists (first start) and loads the published ones.
    func prepare() async throws {
        try await reload()
        if active == nil { try await rotate() }
    }

    func reload() async throws {
        let rows = try await postgres.query(
            """
            SELECT kid, sealed_private_key, retired_at IS NULL FROM signing_keys
            WHERE retired_at IS NULL OR retired_at > now() - \(Int(tokenLifetime.components.seconds) + 60) * interval '1 second'
            ORDER BY created_at
            """,
            logger: logger
        )
        var keys: [TokenSigningKey] = []
        var newestActive: TokenSigningKey?
        for try await (kid, sealed, isActive) in rows.decode((String, String, Bool).self) {
            let raw = try secretBox.open(sealed, context: "signing-key:\(kid)")
            let key = TokenSigningKey(keyID: kid, privateKey: try Curve25519.Signing.PrivateKey(rawRepresentation: raw))
            keys.append(key)
            if isActive { newestActive = key }
        }
        published = keys
        active = newestActive
        verifier = await TokenSigningKey.verifier(trusting: keys, issuer: issuer)
    }

    /// Adds a new active key and retires the previous ones.
    @discardableResult
    func rotate() async throws -> String {
        let kid = "k-" + ISO8601DateFormatter.string(from: .now, timeZone: .gmt, formatOptions: [.withFullDate]) + "-" + String(UUID().uuidString.prefix(8)).lowercased()
        let key = Curve25519.Signing.PrivateKey()
        let sealed = try secretBox.seal(key.rawRepresentation, context: "signing-key:\(kid)")
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query("UPDATE signing_keys SET retired_at = now() WHERE retired_at IS NULL", logger: logger)
            try await connection.query("INSERT INTO signing_keys (kid, sealed_private_key) VALUES (\(kid), \(sealed))", logger: logger)
        }
        try await reload()
        return kid
    }

    func sign(_ claims: AccessTokenClaims) async throws -> String {
        if active == nil { try await reload() }
        guard let active else { throw Problem(.serviceUnavailable, detail: "no signing key is available yet") }
        return try await active.sign(claims)
    }

    func jwks() throws -> Data { try TokenSigningKey.jwksDocument(published) }

    nonisolated func verify(_ token: String) async throws(TokenRejection) -> AccessTokenClaims {
        do {
            return try await currentVerifier().verify(token)
        } catch .unknownKey {
            // Another replica may have rotated: look once more in the database.
            do { try await reload() } catch { throw .keysUnavailable("\(error)") }
            return try await currentVerifier().verify(token)
        }
    }

    private func currentVerifier() -> StaticKeyVerifier {
        verifier ?? StaticKeyVerifier(keys: .init(), keyIDs: [], issuer: issuer)
    }
}
