import Foundation
import Testing

@testable import CloudClients

@Suite("Service-account JWT")
struct ServiceAccountJWTTests {
    func decode(_ segment: Substring) throws -> [String: Any] {
        var base64 = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        let data = try #require(Data(base64Encoded: base64))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("header and claims are what Google's JWT bearer grant expects")
    func structure() throws {
        let key = try goodGCP.signingKey()
        let jwt = try ServiceAccountJWT(keyID: "kid-123", issuer: "svc@p.iam.gserviceaccount.com",
                                        scope: GCPServiceAccountValidator.defaultScope, audience: "https://oauth2.googleapis.com/token",
                                        issuedAt: Date(timeIntervalSince1970: 1_736_929_800.7)).signed(with: key)
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        try #require(parts.count == 3)
        #expect(!jwt.contains("=") && !jwt.contains("+") && !jwt.contains("/"))

        let header = try decode(parts[0])
        #expect(header["alg"] as? String == "RS256")
        #expect(header["typ"] as? String == "JWT")
        #expect(header["kid"] as? String == "kid-123")

        let claims = try decode(parts[1])
        #expect(claims["iss"] as? String == "svc@p.iam.gserviceaccount.com")
        #expect(claims["scope"] as? String == "https://www.googleapis.com/auth/cloud-platform")
        #expect(claims["aud"] as? String == "https://oauth2.googleapis.com/token")
        #expect(claims["iat"] as? Int == 1_736_929_800)
        #expect(claims["exp"] as? Int == 1_736_929_800 + 3600)

        // RSA-2048 gives a 256-byte signature: 342 base64url characters without padding.
        #expect(parts[2].count == 342)
    }

    @Test("PKCS#1 v1.5 signing is deterministic: the same input gives the same JWT")
    func deterministic() throws {
        let key = try goodGCP.signingKey()
        let jwt = ServiceAccountJWT(keyID: "k", issuer: "i@x.y", scope: "s", audience: "a", issuedAt: Date(timeIntervalSince1970: 0))
        #expect(try jwt.signed(with: key) == jwt.signed(with: key))
        var later = jwt
        later.issuedAt = Date(timeIntervalSince1970: 1)
        #expect(try later.signed(with: key) != jwt.signed(with: key))
    }
}
