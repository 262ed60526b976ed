import Foundation
import JWTKit

/// The claims of a Cumulus access token, as governance issues them.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public enum SubjectKind: String, Codable, Sendable {
        case user
        case service
        case node
        case apiKey = "api_key"
    }

    public var sub: SubjectClaim
    public var iss: IssuerClaim
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim
    /// What kind of principal `sub` names.
    public var kind: SubjectKind
    /// The organisation the principal belongs to (absent for platform service accounts).
    public var org: UUID?

    public init(subject: String, issuer: String, kind: SubjectKind, organisation: UUID?, issuedAt: Date = .now, lifetime: TimeInterval = 900) {
        self.sub = SubjectClaim(value: subject)
        self.iss = IssuerClaim(value: issuer)
        self.iat = IssuedAtClaim(value: issuedAt)
        self.exp = ExpirationClaim(value: issuedAt.addingTimeInterval(lifetime))
        self.kind = kind
        self.org = organisation
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// Who is calling, once their token has been verified.
public struct Identity: Sendable, Equatable {
    public var subject: String
    public var kind: AccessTokenClaims.SubjectKind
    public var organisation: UUID?
    /// The verified bearer token, so a policy can ask governance on the caller's behalf.
    /// Never logged or stored.
    public var token: String?

    public init(subject: String, kind: AccessTokenClaims.SubjectKind, organisation: UUID?, token: String? = nil) {
        self.subject = subject
        self.kind = kind
        self.organisation = organisation
        self.token = token
    }

    public init(claims: AccessTokenClaims, token: String? = nil) {
        self.init(subject: claims.sub.value, kind: claims.kind, organisation: claims.org, token: token)
    }
}

extension Identity {
    /// The enrolled node behind a node token (`sub` = `node:<uuid>`), or nil for anyone else.
    public var nodeID: UUID? {
        guard kind == .node, subject.hasPrefix("node:") else { return nil }
        return UUID(uuidString: String(subject.dropFirst(5)))
    }
}
