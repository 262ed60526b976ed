import Foundation
import _CryptoExtras

/// The signed JWT a service account presents to Google's token endpoint (RFC 7523,
/// "JWT bearer" grant): RS256 (RSASSA-PKCS1-v1_5 with SHA-256), `kid` = the key's id.
struct ServiceAccountJWT {
    var keyID: String
    var issuer: String
    var scope: String
    var audience: String
    var issuedAt: Date
    /// Google accepts at most one hour.
    var lifetime: TimeInterval = 3600

    private struct Header: Encodable {
        let alg = "RS256"
        let typ = "JWT"
        let kid: String
    }

    private struct Claims: Encodable {
        let iss: String
        let scope: String
        let aud: String
        let iat: Int64
        let exp: Int64
    }

    func signed(with key: _RSA.Signing.PrivateKey) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let iat = Int64(issuedAt.timeIntervalSince1970.rounded(.down))
        let header = try encoder.encode(Header(kid: keyID))
        let claims = try encoder.encode(Claims(iss: issuer, scope: scope, aud: audience, iat: iat, exp: iat + Int64(lifetime)))
        let signingInput = Self.base64URL(header) + "." + Self.base64URL(claims)
        let signature = try key.signature(for: Data(signingInput.utf8), padding: .insecurePKCS1v1_5)
        return signingInput + "." + Self.base64URL(signature.rawRepresentation)
    }

    static func base64URL(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
