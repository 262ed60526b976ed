import CumulusAPI
import Foundation
import Testing

@Suite struct AccessControlTests {
    @Test func customRolesRefuseUnknownPermissionsAndCycles() async throws {
        let governance = try GovernanceClient.direct()
        let tenant = try await governance.makeTenant("roles", adminToken: try await governance.adminToken())
        let organisation = tenant.organisation.id

        let unknown = try await governance.send(.POST, "/api/v1/roles", token: tenant.adminToken,
                                                json: NewRole(organisationId: organisation, name: "bad", permissions: ["jobs:read", "jobs:fly"]))
        #expect(try governance.problem(unknown, status: 400).errors?.first?.field == "permissions[1]")

        let a = try governance.decode(Role.self, try await governance.send(.POST, "/api/v1/roles", token: tenant.adminToken,
                                                                           json: NewRole(organisationId: organisation, name: "alpha", permissions: ["jobs:read"])), expect: 201)
        let b = try governance.decode(Role.self, try await governance.send(.POST, "/api/v1/roles", token: tenant.adminToken,
                                                                           json: NewRole(organisationId: organisation, name: "beta", permissions: ["models:read"], inherits: [a.id])), expect: 201)
        let c = try governance.decode(Role.self, try await governance.send(.POST, "/api/v1/roles", token: tenant.adminToken,
                                                                           json: NewRole(organisationId: organisation, name: "gamma", permissions: [], inherits: [b.id])), expect: 201)
        // alpha inheriting gamma would close alpha → gamma → beta → alpha.
        let cycle = try await governance.send(.POST, "/api/v1/roles/\(a.id)/inherits", token: tenant.adminToken, json: InheritRequest(parentRoleId: c.id))
        let problem = try governance.problem(cycle, status: 409)
        #expect(problem.detail == "inheriting would create a cycle: alpha → gamma → beta → alpha")
        let selfCycle = try await governance.send(.POST, "/api/v1/roles/\(a.id)/inherits", token: tenant.adminToken, json: InheritRequest(parentRoleId: a.id))
        #expect(selfCycle.status == 409)

        // Effective permissions are the union through inheritance.
        let (user, token) = try await governance.makeUser(in: tenant, "analyst")
        let granted = try await governance.send(.POST, "/api/v1/roles/\(c.id)/bindings", token: tenant.adminToken, json: NewBinding(userId: user.id, scope: .organisation(organisation)))
        #expect(granted.status == 201, "\(granted.text)")
        let effective = try governance.decode(EffectivePermissions.self, try await governance.send(.GET, "/api/v1/auth/permissions", token: token), expect: 200)
        #expect(effective.allows("jobs:read", in: .organisation(organisation)))
        #expect(effective.allows("models:read", in: .organisation(organisation)))
        #expect(!effective.allows("jobs:create", in: .organisation(organisation)))
    }

    @Test func separationOfDutyRefusesAuditorForAnOrgAdmin() async throws {
        let governance = try GovernanceClient.direct()
        let tenant = try await governance.makeTenant("sod", adminToken: try await governance.adminToken())
        let auditor = try await governance.builtInRole("auditor", token: tenant.adminToken)
        let answer = try await governance.send(.POST, "/api/v1/roles/\(auditor.id)/bindings", token: tenant.adminToken,
                                               json: NewBinding(userId: tenant.adminID, scope: .organisation(tenant.organisation.id)))
        let problem = try governance.problem(answer, status: 409)
        #expect(problem.detail?.contains("separation of duty") == true)
        #expect(problem.detail?.contains("auditor and org-admin are mutually exclusive") == true)
    }

    @Test func grantingAnAdminRoleNeedsAnotherPersonsApproval() async throws {
        let governance = try GovernanceClient.direct()
        let tenant = try await governance.makeTenant("twoperson", adminToken: try await governance.adminToken())
        let organisation = tenant.organisation.id
        let (candidate, candidateToken) = try await governance.makeUser(in: tenant, "candidate")
        let orgAdmin = try await governance.builtInRole("org-admin", token: tenant.adminToken)

        let pending = try governance.decode(ApprovalPending.self, try await governance.send(
            .POST, "/api/v1/roles/\(orgAdmin.id)/bindings", token: tenant.adminToken, json: NewBinding(userId: candidate.id, scope: .organisation(organisation))), expect: 202)
        #expect(pending.approval.status == "pending")

        // Nobody approves their own request.
        let own = try await governance.send(.POST, "/api/v1/approvals/\(pending.approval.id)/approve", token: tenant.adminToken, json: Decision())
        #expect(try governance.problem(own, status: 403).detail?.contains("own request") == true)
        // The candidate holds no approving permission.
        let candidateTry = try await governance.send(.POST, "/api/v1/approvals/\(pending.approval.id)/approve", token: candidateToken, json: Decision())
        #expect(try governance.problem(candidateTry, status: 403).detail?.contains("approvals:decide") == true)
        #expect(!(try governance.decode(EffectivePermissions.self, try await governance.send(.GET, "/api/v1/auth/permissions", token: candidateToken), expect: 200)
            .allows("users:create", in: .organisation(organisation))))

        // The platform administrator, a different person, approves: the grant happens.
        let platform = try await governance.adminToken()
        let approved = try governance.decode(Approval.self, try await governance.send(.POST, "/api/v1/approvals/\(pending.approval.id)/approve", token: platform, json: Decision(reason: "ok")), expect: 200)
        #expect(approved.status == "consumed")
        #expect(try governance.decode(EffectivePermissions.self, try await governance.send(.GET, "/api/v1/auth/permissions", token: candidateToken), expect: 200)
            .allows("users:create", in: .organisation(organisation)))
        let again = try await governance.send(.POST, "/api/v1/approvals/\(pending.approval.id)/approve", token: platform, json: Decision())
        #expect(again.status == 409)
    }

    @Test func approvalsExpire() async throws {
        let governance = try GovernanceClient.direct()
        let tenant = try await governance.makeTenant("expiry", adminToken: try await governance.adminToken())
        let scope = ScopeRef.organisation(tenant.organisation.id)
        let opened = try governance.decode(Approval.self, try await governance.send(
            .POST, "/api/v1/approvals", token: tenant.adminToken,
            json: NewApproval(action: "credentials.delete", permission: "credentials:delete", scope: scope, summary: "delete aws credential", expiresInSeconds: 1)), expect: 201)
        try await Task.sleep(for: .milliseconds(1500))
        let late = try await governance.send(.POST, "/api/v1/approvals/\(opened.id)/approve", token: try await governance.adminToken(), json: Decision())
        #expect(try governance.problem(late, status: 409).detail?.contains("expired") == true)
        let shown = try governance.decode(Approval.self, try await governance.send(.GET, "/api/v1/approvals/\(opened.id)", token: tenant.adminToken), expect: 200)
        #expect(shown.status == "expired")
        let notCritical = try await governance.send(.POST, "/api/v1/approvals", token: tenant.adminToken,
                                                    json: NewApproval(action: "jobs.read", permission: "jobs:read", scope: scope, summary: "x"))
        #expect(try governance.problem(notCritical, status: 400).errors?.first?.field == "permission")
    }

    @Test func anotherTenantsResourcesAnswer404AndMissingPermissions403() async throws {
        let governance = try GovernanceClient.direct()
        let platform = try await governance.adminToken()
        let home = try await governance.makeTenant("home", adminToken: platform)
        let foreign = try await governance.makeTenant("foreign", adminToken: platform)
        let federation = try governance.decode(Federation.self, try await governance.send(
            .POST, "/api/v1/federations", token: home.adminToken, json: NewFederation(name: "cardiology", ownerOrganisationId: home.organisation.id)), expect: 201)
        let organisation = home.organisation.id
        try await TenancyProbe.assertCrossTenantDenied(
            base: governance.base,
            endpoints: [
                .init(method: .GET, path: "/api/v1/orgs/\(organisation)"),
                .init(method: .GET, path: "/api/v1/orgs/\(organisation)/users"),
                .init(method: .POST, path: "/api/v1/orgs/\(organisation)/users", body: #"{"email":"x@y.example","password":"correct horse battery","displayName":"x"}"#),
                .init(method: .GET, path: "/api/v1/federations/\(federation.id)"),
                .init(method: .DELETE, path: "/api/v1/federations/\(federation.id)"),
                .init(method: .POST, path: "/api/v1/federations/\(federation.id)/invitations", body: #"{"organisationId":"\#(foreign.organisation.id)"}"#),
                .init(method: .GET, path: "/api/v1/users/\(home.adminID)/permission-review"),
            ],
            foreignToken: foreign.adminToken,
            secrets: [home.organisation.name, home.adminEmail, "cardiology"])
        // Inside the tenant, a viewer lacks the permission: 403 naming it.
        let (_, viewerToken) = try await governance.makeUser(in: home, "viewer")
        let viewerRole = try await governance.builtInRole("viewer", token: home.adminToken)
        let me = try governance.decode(User.self, try await governance.send(.GET, "/api/v1/auth/me", token: viewerToken), expect: 200)
        _ = try await governance.send(.POST, "/api/v1/roles/\(viewerRole.id)/bindings", token: home.adminToken, json: NewBinding(userId: me.id, scope: .organisation(organisation)))
        let denied = try await governance.send(.POST, "/api/v1/orgs/\(organisation)/users", token: viewerToken,
                                               json: NewUser(email: "z@z.example", password: GovernanceClient.password, displayName: "z"))
        #expect(try governance.problem(denied, status: 403).detail?.contains("users:create") == true)
    }

    @Test func invitationsAreAcceptedByTheInvitedOrganisation() async throws {
        let governance = try GovernanceClient.direct()
        let platform = try await governance.adminToken()
        let owner = try await governance.makeTenant("owner", adminToken: platform)
        let guest = try await governance.makeTenant("guest", adminToken: platform)
        let federation = try governance.decode(Federation.self, try await governance.send(
            .POST, "/api/v1/federations", token: owner.adminToken, json: NewFederation(name: "oncology", ownerOrganisationId: owner.organisation.id)), expect: 201)
        _ = try governance.decode(Federation.self, try await governance.send(
            .POST, "/api/v1/federations/\(federation.id)/invitations", token: owner.adminToken, json: Invitation(organisationId: guest.organisation.id)), expect: 201)
        // The owner cannot accept on the guest's behalf.
        let forged = try await governance.send(.POST, "/api/v1/federations/\(federation.id)/invitations/\(guest.organisation.id)/accept", token: owner.adminToken)
        #expect(forged.status == 404)
        let accepted = try governance.decode(Federation.self, try await governance.send(
            .POST, "/api/v1/federations/\(federation.id)/invitations/\(guest.organisation.id)/accept", token: guest.adminToken), expect: 200)
        #expect(accepted.members.contains(Federation.Member(organisationId: guest.organisation.id, status: "active")))
        let listed = try governance.decode([Federation].self, try await governance.send(.GET, "/api/v1/federations", token: guest.adminToken), expect: 200)
        #expect(listed.map(\.id).contains(federation.id))
    }

    @Test func permissionReviewShowsSourcesAndUse() async throws {
        let governance = try GovernanceClient.direct()
        let tenant = try await governance.makeTenant("review", adminToken: try await governance.adminToken())
        _ = try await governance.makeUser(in: tenant, "someone")  // the admin uses users:create
        let review = try governance.decode(PermissionReview.self, try await governance.send(
            .GET, "/api/v1/users/\(tenant.adminID)/permission-review?days=7", token: tenant.adminToken), expect: 200)
        let createUsers = try #require(review.items.first { $0.permission == "users:create" && $0.scope == .organisation(tenant.organisation.id) })
        #expect(createUsers.usedInWindow)
        #expect(createUsers.via == [["org-admin"]])
        let viewerPermission = try #require(review.items.first { $0.permission == "jobs:read" && $0.scope == .organisation(tenant.organisation.id) })
        #expect(viewerPermission.via.first?.last == "viewer", "inherited through the role hierarchy")
        #expect(!viewerPermission.usedInWindow)
        #expect(review.unusedCount > 0)
        let badWindow = try await governance.send(.GET, "/api/v1/users/\(tenant.adminID)/permission-review?days=9999", token: tenant.adminToken)
        #expect(try governance.problem(badWindow, status: 400).errors?.first?.field == "days")
    }
}
