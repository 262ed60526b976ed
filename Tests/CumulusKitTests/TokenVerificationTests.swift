import Crypto
import Foundation
import JWTKit
import Testing

@testable import CumulusKit

@Suite struct TokenVerificationTests {
    let issuer = "cumulus-governance"

    func claims(lifetime: TimeInterval = 900, issuedAt: Date = .now) -> AccessTokenClaims {
        AccessTokenClaims(subject: "user-1", issuer: issuer, kind: .user, organisation: UUID(), issuedAt: issuedAt, lifetime: lifetime)
    }

    @Test func acceptsATokenSignedByATrustedKey() async throws {
        let key = TokenSigningKey(keyID: "k1")
        let token = try await key.sign(claims())
        let verified = try await TokenSigningKey.verifier(trusting: [key], issuer: issuer).verify(token)
        #expect(verified.sub.value == "user-1")
        #expect(verified.kind == .user)
    }

    @Test func rejectsATokenSignedWithAnotherKeyUnderTheSameKid() async throws {
        let trusted = TokenSigningKey(keyID: "k1")
        let forger = TokenSigningKey(keyID: "k1")
        let token = try await forger.sign(claims())
        await #expect(throws: TokenRejection.badSignature) {
            try await TokenSigningKey.verifier(trusting: [trusted], issuer: issuer).verify(token)
        }
    }

    @Test func rejectsAnExpiredToken() async throws {
        let key = TokenSigningKey(keyID: "k1")
        let token = try await key.sign(claims(lifetime: 60, issuedAt: .now.addingTimeInterval(-3600)))
        await #expect(throws: TokenRejection.expired) {
            try await TokenSigningKey.verifier(trusting: [key], issuer: issuer).verify(token)
        }
    }

    @Test func rejectsAlgNone() async throws {
        let key = TokenSigningKey(keyID: "k1")
        let signed = try await key.sign(claims())
        let payload = signed.split(separator: ".")[1]
        let header = Data(#"{"alg":"none","kid":"k1","typ":"JWT"}"#.utf8).base64URLEncodedString()
        for forged in ["\(header).\(payload).", "\(header).\(payload)"] {
            await #expect(throws: TokenRejection.self) {
                try await TokenSigningKey.verifier(trusting: [key], issuer: issuer).verify(forged)
            }
        }
        await #expect(throws: TokenRejection.unsupportedAlgorithm("none")) {
            try await TokenSigningKey.verifier(trusting: [key], issuer: issuer).verify("\(header).\(payload).")
        }
    }

    @Test func rejectsHMACSignedWithThePublicKey() async throws {
        // The classic confusion attack: HS256 keyed with the (public) verification key.
        let key = TokenSigningKey(keyID: "k1")
        let hmacKeys = JWTKeyCollection()
        await hmacKeys.add(hmac: HMACKey(from: key.privateKey.publicKey.rawRepresentation), digestAlgorithm: .sha256, kid: "k1")
        let token = try await hmacKeys.sign(claims(), kid: "k1")
        await #expect(throws: TokenRejection.unsupportedAlgorithm("HS256")) {
            try await TokenSigningKey.verifier(trusting: [key], issuer: issuer).verify(token)
        }
    }

    @Test func rejectsAnUnknownKidAndAWrongIssuer() async throws {
        let key = TokenSigningKey(keyID: "k1")
        let other = TokenSigningKey(keyID: "k2")
        await #expect(throws: TokenRejection.unknownKey("k2")) {
            try await TokenSigningKey.verifier(trusting: [key], issuer: issuer).verify(try await other.sign(claims()))
        }
        let foreign = AccessTokenClaims(subject: "x", issuer: "someone-else", kind: .user, organisation: nil)
        await #expect(throws: TokenRejection.wrongIssuer("someone-else")) {
            try await TokenSigningKey.verifier(trusting: [key], issuer: issuer).verify(try await key.sign(foreign))
        }
    }

    @Test func rejectsGarbage() async throws {
        let verifier = await TokenSigningKey.verifier(trusting: [TokenSigningKey(keyID: "k1")], issuer: issuer)
        for garbage in ["", "abc", "a.b.c", "....", String(repeating: "x", count: 5000)] {
            await #expect(throws: TokenRejection.self) { try await verifier.verify(garbage) }
        }
    }

    @Test func jwksVerifierRefreshesOnceForAnUnknownKidAndPicksUpARotatedKey() async throws {
        let old = TokenSigningKey(keyID: "2026-01")
        let new = TokenSigningKey(keyID: "2026-02")
        let published = PublishedKeys([old])
        let verifier = JWKSVerifier(issuer: issuer, minimumRefreshInterval: .zero) { try await published.document() }

        _ = try await verifier.verify(try await old.sign(claims()))
        #expect(await published.fetches == 1)
        _ = try await verifier.verify(try await old.sign(claims()))
        #expect(await published.fetches == 1, "a known kid is served from the cache")

        await published.set([old, new])  // rotation: governance publishes the new key beside the old
        _ = try await verifier.verify(try await new.sign(claims()))
        #expect(await published.fetches == 2)
        _ = try await verifier.verify(try await old.sign(claims()))

        await published.set([new])  // the old key is retired
        await #expect(throws: TokenRejection.unknownKey("forged")) {
            try await verifier.verify(try await TokenSigningKey(keyID: "forged").sign(claims()))
        }
        await #expect(throws: TokenRejection.unknownKey("2026-01")) {
            try await verifier.verify(try await old.sign(claims()))
        }
    }

    @Test func jwksVerifierRateLimitsRefreshes() async throws {
        let published = PublishedKeys([TokenSigningKey(keyID: "a")])
        let verifier = JWKSVerifier(issuer: issuer, minimumRefreshInterval: .seconds(60), maximumWait: .zero) { try await published.document() }
        for index in 0..<5 {
            await #expect(throws: TokenRejection.unknownKey("forged-\(index)")) {
                try await verifier.verify(try await TokenSigningKey(keyID: "forged-\(index)").sign(claims()))
            }
        }
        #expect(await published.fetches == 1)
    }

    @Test func aKeyRotatedJustAfterARefreshIsPickedUpByWaitingNotRefused() async throws {
        let old = TokenSigningKey(keyID: "r-1")
        let new = TokenSigningKey(keyID: "r-2")
        let published = PublishedKeys([old])
        let verifier = JWKSVerifier(issuer: issuer, minimumRefreshInterval: .milliseconds(300)) { try await published.document() }
        _ = try await verifier.verify(try await old.sign(claims()))
        await published.set([old, new])
        // Within the interval of the first fetch: waits for the next allowed refresh.
        _ = try await verifier.verify(try await new.sign(claims()))
        #expect(await published.fetches == 2)
    }
}

/// A JWKS endpoint in memory that counts how often it is fetched.
actor PublishedKeys {
    private var keys: [TokenSigningKey]
    private(set) var fetches = 0

    init(_ keys: [TokenSigningKey]) { self.keys = keys }

    func set(_ keys: [TokenSigningKey]) { self.keys = keys }

    func document() throws -> Data {
        fetches += 1
        return try TokenSigningKey.jwksDocument(keys)
    }
}
