import Foundation
import JWTKit

/// Why a bearer token was refused. Each case becomes a 401 with a message that says which.
public enum TokenRejection: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed
    case unsupportedAlgorithm(String)
    case missingKeyID
    case unknownKey(String)
    case badSignature
    case expired
    case wrongIssuer(String)
    case notConfigured
    case keysUnavailable(String)

    public var description: String {
        switch self {
        case .malformed: "the bearer token is not a well-formed JWT"
        case .unsupportedAlgorithm(let alg): "tokens signed with '\(alg)' are not accepted; only EdDSA is"
        case .missingKeyID: "the token has no key id (kid)"
        case .unknownKey(let kid): "the token was signed with an unknown key '\(kid)'"
        case .badSignature: "the token's signature does not verify"
        case .expired: "the token has expired; refresh it or log in again"
        case .wrongIssuer(let issuer): "the token was issued by '\(issuer)', which this service does not trust"
        case .notConfigured: "this service has no token keys configured (set CUMULUS_JWKS_URL)"
        case .keysUnavailable(let why): "the signing keys could not be fetched: \(why)"
        }
    }
}

/// Verifies an access token and answers who it names.
public protocol AccessTokenVerifier: Sendable {
    func verify(_ token: String) async throws(TokenRejection) -> AccessTokenClaims
}

/// The header fields we check ourselves before jwt-kit verifies: only EdDSA, always with a `kid`,
/// so `alg: none`, HMAC-with-public-key confusion and default-key fallbacks are impossible.
struct TokenHeader: Decodable {
    var alg: String?
    var kid: String?

    static func parse(_ token: String) throws(TokenRejection) -> TokenHeader {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Data(base64URLEncoded: String(parts[0])),
              let header = try? JSONDecoder().decode(TokenHeader.self, from: data)
        else { throw .malformed }
        guard let alg = header.alg, alg == "EdDSA" else { throw .unsupportedAlgorithm(header.alg ?? "none") }
        guard header.kid?.isEmpty == false else { throw .missingKeyID }
        return header
    }
}

extension Data {
    init?(base64URLEncoded text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}

/// Verifies against a fixed set of keys: governance's own signing keys, and tests.
public struct StaticKeyVerifier: AccessTokenVerifier {
    let keys: JWTKeyCollection
    let keyIDs: Set<String>
    let issuer: String

    public init(keys: JWTKeyCollection, keyIDs: Set<String>, issuer: String) {
        self.keys = keys
        self.keyIDs = keyIDs
        self.issuer = issuer
    }

    public func verify(_ token: String) async throws(TokenRejection) -> AccessTokenClaims {
        let header = try TokenHeader.parse(token)
        guard let kid = header.kid, keyIDs.contains(kid) else { throw .unknownKey(header.kid ?? "") }
        return try await Self.verify(token, with: keys, issuer: issuer)
    }

    static func verify(_ token: String, with keys: JWTKeyCollection, issuer: String) async throws(TokenRejection) -> AccessTokenClaims {
        let claims: AccessTokenClaims
        do {
            claims = try await keys.verify(token, as: AccessTokenClaims.self)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw .expired
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw .badSignature
        } catch {
            throw .malformed
        }
        guard claims.iss.value == issuer else { throw .wrongIssuer(claims.iss.value) }
        return claims
    }
}
