import CumulusAPI
import CumulusKit
import Foundation
import Testing

@Suite struct KeyRotationTests {
    struct JWKSDocument: Decodable { struct Key: Decodable { var kid: String; var kty: String; var crv: String }; var keys: [Key] }

    static func kid(of token: String) throws -> String {
        let header = String(token.split(separator: ".")[0])
        var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        let json = try JSONSerialization.jsonObject(with: try #require(Data(base64Encoded: base64))) as? [String: Any]
        return try #require(json?["kid"] as? String)
    }

    @Test func servicesVerifyGovernancesTokensThroughItsJWKS() async throws {
        let governance = try GovernanceClient.direct()
        let admin = try await governance.adminToken()
        let verifier = JWKSVerifier(url: URL(string: governance.base + "/.well-known/jwks.json")!, issuer: "cumulus-governance", client: .shared)
        let claims = try await verifier.verify(admin)
        #expect(claims.kind == .user)
        await #expect(throws: TokenRejection.unknownKey("k-forged")) { try await verifier.verify(try await CumulusKitTokenForgery.forged()) }
        let wrongIssuer = JWKSVerifier(url: URL(string: governance.base + "/.well-known/jwks.json")!, issuer: "someone-else", client: .shared)
        await #expect(throws: TokenRejection.wrongIssuer("cumulus-governance")) { try await wrongIssuer.verify(admin) }
    }

    @Test func rotatingTheSigningKeyLogsNobodyOut() async throws {
        let governance = try GovernanceClient.direct()
        let admin = try await governance.adminToken()
        let before = try Self.kid(of: admin)

        let rotated = try await governance.send(.POST, "/api/v1/auth/keys/rotate", token: admin)
        #expect(rotated.status == 200, "\(rotated.text)")
        // The token signed with the old key still works…
        #expect(try await governance.send(.GET, "/api/v1/auth/me", token: admin).status == 200)
        // …new tokens carry the new key, and the JWKS publishes both.
        let fresh = try await governance.adminToken()
        #expect(try Self.kid(of: fresh) != before)
        let jwks = try JSONDecoder().decode(JWKSDocument.self, from: try await governance.send(.GET, "/.well-known/jwks.json").body)
        let kids = Set(jwks.keys.map(\.kid))
        #expect(kids.contains(before))
        #expect(kids.contains(try Self.kid(of: fresh)))
        #expect(jwks.keys.allSatisfy { $0.kty == "OKP" && $0.crv == "Ed25519" })
        // The JWKS is reachable through the gateway too.
        let viaGateway = try await HTTPTestClient.send(try TestEnvironment.gateway() + "/.well-known/jwks.json")
        #expect(viaGateway.status == 200)
    }
}
