import CumulusAPI
import CumulusKit
import Foundation
import Logging
import ServiceLifecycle
import Testing

/// What every other service does to answer `require(...)`: ask governance once, cache, and drop
/// the cache when governance announces a role change on Redis.
@Suite struct GovernancePolicyTests {
    @Test func answersAreCachedAndDroppedWhenRolesChange() async throws {
        let governance = try GovernanceClient.direct()
        let tenant = try await governance.makeTenant("policy", adminToken: try await governance.adminToken())
        let (user, token) = try await governance.makeUser(in: tenant, "analyst")
        let identity = Identity(subject: user.id.uuidString.lowercased(), kind: .user, organisation: tenant.organisation.id, token: token)
        let scope = AuthorizationScope.organisation(tenant.organisation.id)

        let policy = GovernancePolicy(governanceURL: URL(string: governance.base)!, client: InternalClient(serviceToken: nil), lifetime: .seconds(600))
        #expect(try await !policy.allows(identity, "users:read", in: scope))
        #expect(try await !policy.allows(identity, "users:read", in: scope))
        #expect(await policy.fetches == 1, "the second answer came from the cache")

        // Read from a known point, so the test does not race the listener's start.
        let start = try await RedisPool(url: try TestEnvironment.redis()).lastID(GovernancePolicy.rolesChangedStream)
        let listener = RoleChangeListener(policy: policy, connection: RedisConnection(url: try TestEnvironment.redis(), label: "roles-test"),
                                          logger: Logger(label: "test"), startAfter: start)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await listener.run() }
            defer { group.cancelAll() }
            // Governance grants the role: the cached "no" must not outlive the change.
            let viewer = try await governance.builtInRole("auditor", token: tenant.adminToken)
            let granted = try await governance.send(.POST, "/api/v1/roles/\(viewer.id)/bindings", token: tenant.adminToken,
                                                    json: NewBinding(userId: user.id, scope: .organisation(tenant.organisation.id)))
            #expect(granted.status == 201, "\(granted.text)")
            var allowed = false
            for _ in 0..<50 where !allowed {
                allowed = try await policy.allows(identity, "users:read", in: scope)
                if !allowed { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(allowed, "the role change reached the cache")
            #expect(await policy.fetches >= 2)
        }
    }
}
