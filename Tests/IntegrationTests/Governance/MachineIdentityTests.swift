import Crypto
import CumulusAPI
import Foundation
import Testing

@Suite struct MachineIdentityTests {
    @Test func serviceAccountsUseClientCredentialsAndCanBeRevoked() async throws {
        let governance = try GovernanceClient.direct()
        let admin = try await governance.adminToken()
        let created = try governance.decode(ServiceAccountCreated.self, try await governance.send(
            .POST, "/api/v1/auth/service-accounts", token: admin,
            json: NewServiceAccount(name: "costs-\(UUID().uuidString.prefix(6))", permissions: ["prices:read", "costs:read"])), expect: 201)
        let token = try governance.decode(AccessToken.self, try await governance.send(
            .POST, "/api/v1/auth/token", json: TokenRequest(grantType: "client_credentials", clientId: created.clientId, clientSecret: created.clientSecret)), expect: 200)
        let grants = try governance.decode(EffectivePermissions.self, try await governance.send(.GET, "/api/v1/auth/permissions", token: token.accessToken), expect: 200)
        #expect(grants.allows("prices:read", in: .platform))
        #expect(!grants.allows("orgs:create", in: .platform))
        // Machines cannot use endpoints meant for people.
        #expect(try await governance.send(.GET, "/api/v1/auth/me", token: token.accessToken).status == 403)

        let wrong = try await governance.send(.POST, "/api/v1/auth/token", json: TokenRequest(grantType: "client_credentials", clientId: created.clientId, clientSecret: "css_wrong"))
        #expect(wrong.status == 401)
        #expect(try await governance.send(.DELETE, "/api/v1/auth/service-accounts/\(created.id)", token: admin).status == 204)
        let revoked = try await governance.send(.POST, "/api/v1/auth/token", json: TokenRequest(grantType: "client_credentials", clientId: created.clientId, clientSecret: created.clientSecret))
        #expect(revoked.status == 401)
    }

    @Test func apiKeysAreScopedShownOnceAndRevocable() async throws {
        let governance = try GovernanceClient.direct()
        let tenant = try await governance.makeTenant("keys", adminToken: try await governance.adminToken())
        let scope = ScopeRef.organisation(tenant.organisation.id)
        let tooMuch = try await governance.send(.POST, "/api/v1/auth/api-keys", token: tenant.adminToken,
                                                json: NewAPIKey(name: "ci", permissions: ["orgs:create"], scope: scope))
        #expect(try governance.problem(tooMuch, status: 400).errors?.first?.field == "permissions[0]")

        let created = try governance.decode(APIKeyCreated.self, try await governance.send(
            .POST, "/api/v1/auth/api-keys", token: tenant.adminToken, json: NewAPIKey(name: "ci", permissions: ["users:read"], scope: scope, expiresInDays: 7)), expect: 201)
        #expect(created.key.hasPrefix("cak_"))
        let listed = try governance.decode([APIKey].self, try await governance.send(.GET, "/api/v1/auth/api-keys", token: tenant.adminToken), expect: 200)
        #expect(listed.map(\.id) == [created.apiKey.id])
        #expect(!(try await governance.send(.GET, "/api/v1/auth/api-keys", token: tenant.adminToken)).text.contains(created.key), "the key is shown only once")

        let token = try governance.decode(AccessToken.self, try await governance.send(.POST, "/api/v1/auth/token", json: TokenRequest(grantType: "api_key", apiKey: created.key)), expect: 200)
        #expect(try await governance.send(.GET, "/api/v1/orgs/\(tenant.organisation.id)/users", token: token.accessToken).status == 200)
        let narrow = try await governance.send(.POST, "/api/v1/orgs/\(tenant.organisation.id)/users", token: token.accessToken,
                                               json: NewUser(email: "k@k.example", password: GovernanceClient.password, displayName: "k"))
        #expect(try governance.problem(narrow, status: 403).detail?.contains("users:create") == true, "the key holds only what it was given")

        // A key allowed to make keys can hand on only what it holds itself, not its owner's rest.
        let minter = try governance.decode(APIKeyCreated.self, try await governance.send(
            .POST, "/api/v1/auth/api-keys", token: tenant.adminToken, json: NewAPIKey(name: "minter", permissions: ["apikeys:manage", "users:read"], scope: scope)), expect: 201)
        let minterToken = try governance.decode(AccessToken.self, try await governance.send(.POST, "/api/v1/auth/token", json: TokenRequest(grantType: "api_key", apiKey: minter.key)), expect: 200)
        let escalation = try await governance.send(.POST, "/api/v1/auth/api-keys", token: minterToken.accessToken,
                                                   json: NewAPIKey(name: "wider", permissions: ["users:create"], scope: scope))
        #expect(try governance.problem(escalation, status: 400).errors?.first?.field == "permissions[0]")

        #expect(try await governance.send(.DELETE, "/api/v1/auth/api-keys/\(created.apiKey.id)", token: tenant.adminToken).status == 204)
        #expect(try await governance.send(.GET, "/api/v1/orgs/\(tenant.organisation.id)/users", token: token.accessToken).status == 401, "revocation ends tokens already issued")
        #expect(try await governance.send(.POST, "/api/v1/auth/token", json: TokenRequest(grantType: "api_key", apiKey: created.key)).status == 401)
    }

    @Test func nodesEnrolOnceAndEarnTokensWithTheirOwnKey() async throws {
        let governance = try GovernanceClient.direct()
        let tenant = try await governance.makeTenant("nodes", adminToken: try await governance.adminToken())
        let federation = try governance.decode(Federation.self, try await governance.send(
            .POST, "/api/v1/federations", token: tenant.adminToken, json: NewFederation(name: "radiology", ownerOrganisationId: tenant.organisation.id)), expect: 201)
        let enrolment = try governance.decode(EnrolmentTokenCreated.self, try await governance.send(
            .POST, "/api/v1/federations/\(federation.id)/enrolment-tokens", token: tenant.adminToken,
            json: NewEnrolmentToken(organisationId: tenant.organisation.id, expiresInMinutes: 5)), expect: 201)

        let signing = Curve25519.Signing.PrivateKey()
        let agreement = Curve25519.KeyAgreement.PrivateKey()
        let request = EnrolmentRequest(token: enrolment.token, hostname: "edge-01", signingPublicKey: signing.publicKey.rawRepresentation.base64EncodedString(),
                                       agreementPublicKey: agreement.publicKey.rawRepresentation.base64EncodedString())
        let node = try governance.decode(EnrolledNode.self, try await governance.send(.POST, "/api/v1/auth/enrol", json: request), expect: 201)
        #expect(node.federationId == federation.id)
        let reused = try await governance.send(.POST, "/api/v1/auth/enrol", json: request)
        #expect(try governance.problem(reused, status: 401).detail?.contains("already used") == true, "enrolment tokens are one-time")
        let badKey = EnrolmentRequest(token: "cet_x", hostname: "h", signingPublicKey: "AAAA", agreementPublicKey: request.agreementPublicKey)
        #expect(try governance.problem(try await governance.send(.POST, "/api/v1/auth/enrol", json: badKey), status: 400).errors?.first?.field == "signingPublicKey")

        let timestamp = Int64(Date.now.timeIntervalSince1970 * 1000)
        let signature = try signing.signature(for: NodeTokenRequest.message(nodeId: node.nodeId, timestamp: timestamp)).base64EncodedString()
        let proof = NodeTokenRequest(nodeId: node.nodeId, timestamp: timestamp, signature: signature)
        let token = try governance.decode(AccessToken.self, try await governance.send(.POST, "/api/v1/auth/node-token", json: proof), expect: 200)
        let grants = try governance.decode(EffectivePermissions.self, try await governance.send(.GET, "/api/v1/auth/permissions", token: token.accessToken), expect: 200)
        #expect(grants.allows("updates:submit", in: .federation(federation.id)))
        #expect(try await governance.send(.POST, "/api/v1/auth/node-token", json: proof).status == 401, "a replayed proof is refused")

        let impostor = Curve25519.Signing.PrivateKey()
        let forged = NodeTokenRequest(nodeId: node.nodeId, timestamp: timestamp + 1,
                                      signature: try impostor.signature(for: NodeTokenRequest.message(nodeId: node.nodeId, timestamp: timestamp + 1)).base64EncodedString())
        #expect(try await governance.send(.POST, "/api/v1/auth/node-token", json: forged).status == 401)
    }
}
