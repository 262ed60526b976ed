import CumulusAPI
import Foundation
import Testing

@Suite struct IdentityTests {
    @Test func wrongPasswordsGetAGenericMessageAndLockTheAccount() async throws {
        let governance = try GovernanceClient.direct()
        let tenant = try await governance.makeTenant("lockout", adminToken: try await governance.adminToken())
        let (user, _) = try await governance.makeUser(in: tenant, "victim")
        var messages: Set<String> = []
        for _ in 0..<5 {
            let answer = try await governance.send(.POST, "/api/v1/auth/login", json: LoginRequest(email: user.email, password: "wrong password here"))
            messages.insert(try governance.problem(answer, status: 401).detail ?? "")
        }
        let unknown = try await governance.send(.POST, "/api/v1/auth/login", json: LoginRequest(email: "nobody-\(UUID())@x.example", password: "whatever12345"))
        messages.insert(try governance.problem(unknown, status: 401).detail ?? "")
        #expect(messages.count == 1, "the same message whether the email exists or not: \(messages)")
        // Locked now: even the right password is refused.
        let locked = try await governance.send(.POST, "/api/v1/auth/login", json: LoginRequest(email: user.email, password: GovernanceClient.password))
        #expect(locked.status == 401)
    }

    @Test func refreshTokensRotateAndReuseRevokesTheFamily() async throws {
        let governance = try GovernanceClient.direct()
        let tenant = try await governance.makeTenant("refresh", adminToken: try await governance.adminToken())
        let first = try await governance.login(tenant.adminEmail, GovernanceClient.password)
        let second = try governance.decode(TokenPair.self, try await governance.send(.POST, "/api/v1/auth/refresh", json: RefreshRequest(refreshToken: first.refreshToken)), expect: 200)
        #expect(second.refreshToken != first.refreshToken)
        let third = try governance.decode(TokenPair.self, try await governance.send(.POST, "/api/v1/auth/refresh", json: RefreshRequest(refreshToken: second.refreshToken)), expect: 200)

        // The spent first token comes back: a thief has it. The whole family dies.
        let reuse = try await governance.send(.POST, "/api/v1/auth/refresh", json: RefreshRequest(refreshToken: first.refreshToken))
        #expect(try governance.problem(reuse, status: 401).detail?.contains("already used") == true)
        let afterReuse = try await governance.send(.POST, "/api/v1/auth/refresh", json: RefreshRequest(refreshToken: third.refreshToken))
        #expect(afterReuse.status == 401, "the newest token of the family is revoked too")

        // Logout ends a fresh session's family.
        let session = try await governance.login(tenant.adminEmail, GovernanceClient.password)
        #expect(try await governance.send(.POST, "/api/v1/auth/logout", json: RefreshRequest(refreshToken: session.refreshToken)).status == 204)
        #expect(try await governance.send(.POST, "/api/v1/auth/refresh", json: RefreshRequest(refreshToken: session.refreshToken)).status == 401)
    }

    @Test func malformedAndForgedTokensAre401() async throws {
        let governance = try GovernanceClient.direct()
        for token in ["garbage", "a.b.c", try await CumulusKitTokenForgery.forged()] {
            let answer = try await governance.send(.GET, "/api/v1/auth/me", token: token)
            _ = try governance.problem(answer, status: 401)
        }
        let anonymous = try await governance.send(.GET, "/api/v1/auth/me")
        #expect(anonymous.status == 401)
    }

    @Test func badInputNamesTheField() async throws {
        let governance = try GovernanceClient.direct()
        let admin = try await governance.adminToken()
        let short = try await governance.send(.POST, "/api/v1/orgs", token: admin, json: NewOrganisation(name: "ok-name", admin: NewUser(email: "x@y.example", password: "short", displayName: "X")))
        #expect(try governance.problem(short, status: 400).errors?.first?.field == "admin.password")
        let email = try await governance.send(.POST, "/api/v1/orgs", token: admin, json: NewOrganisation(name: "ok-name", admin: NewUser(email: "not-an-email", password: GovernanceClient.password, displayName: "X")))
        #expect(try governance.problem(email, status: 400).errors?.first?.field == "admin.email")
        let malformed = try await HTTPTestClient.send(governance.base + "/api/v1/orgs", method: .POST, headers: ["Authorization": "Bearer \(admin)", "Content-Type": "application/json"], body: Data("{\"name\": 12".utf8))
        #expect(malformed.status == 400)
        let oversized = try await HTTPTestClient.send(governance.base + "/api/v1/auth/login", method: .POST, headers: ["Content-Type": "application/json"], body: Data(repeating: 0x20, count: 2 << 20))
        #expect(oversized.status == 413)
    }
}

/// A token signed by a key governance never published.
enum CumulusKitTokenForgery {
    static func forged() async throws -> String {
        try await TokenSigningKey(keyID: "k-forged").sign(AccessTokenClaims(subject: UUID().uuidString, issuer: "cumulus-governance", kind: .user, organisation: nil))
    }
}

import CumulusKit
