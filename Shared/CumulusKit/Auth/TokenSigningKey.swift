import Crypto
import Foundation
import JWTKit

/// An Ed25519 key that signs access tokens, with the key id that names it in the JWKS.
/// Governance holds these; other services only ever see the public half through the JWKS.
public struct TokenSigningKey: Sendable {
    public let keyID: String
    public let privateKey: Curve25519.Signing.PrivateKey

    public init(keyID: String, privateKey: Curve25519.Signing.PrivateKey = .init()) {
        self.keyID = keyID
        self.privateKey = privateKey
    }

    /// The public half as a JWK (RFC 8037, `kty: OKP`, `crv: Ed25519`).
    public var publicJWK: [String: String] {
        [
            "kty": "OKP",
            "crv": "Ed25519",
            "alg": "EdDSA",
            "use": "sig",
            "kid": keyID,
            "x": privateKey.publicKey.rawRepresentation.base64URLEncodedString(),
        ]
    }

    /// A JWKS document (`{"keys": [...]}`) publishing the public halves of `keys`.
    public static func jwksDocument(_ keys: [TokenSigningKey]) throws -> Data {
        try JSONSerialization.data(withJSONObject: ["keys": keys.map(\.publicJWK)], options: [.sortedKeys])
    }

    /// Signs `claims` with this key, `kid` in the header.
    public func sign(_ claims: AccessTokenClaims) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(eddsa: EdDSA.PrivateKey(backing: privateKey), kid: JWKIdentifier(string: keyID))
        return try await keys.sign(claims, kid: JWKIdentifier(string: keyID))
    }

    /// A verifier that trusts exactly `keys` (governance verifies its own tokens this way).
    public static func verifier(trusting keys: [TokenSigningKey], issuer: String) async -> StaticKeyVerifier {
        let collection = JWTKeyCollection()
        for key in keys {
            await collection.add(eddsa: EdDSA.PublicKey(backing: key.privateKey.publicKey), kid: JWKIdentifier(string: key.keyID))
        }
        return StaticKeyVerifier(keys: collection, keyIDs: Set(keys.map(\.keyID)), issuer: issuer)
    }
}

extension Data {
    /// Base64 with the URL-safe alphabet and no padding (RFC 4648 §5), as JWTs and tokens use.
    public func base64URLEncodedString() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
