import CloudClients
import CloudTestSupport
import CumulusAPI
import Foundation
import PostgresNIO
import Testing

/// Cloud credentials through governance: each provider's are checked with its local peer
/// (moto's real STS for AWS) before they are stored, refusals carry the provider's reason, and
/// nothing secret is ever stored in the clear or returned.
@Suite struct CredentialTests {
    static func upload(_ governance: GovernanceClient, _ tenant: GovernanceClient.Tenant, provider: String, label: String, _ credential: some Encodable) async throws -> HTTPTestClient.Answer {
        let fields = try JSONDecoder().decode([String: String].self, from: try JSONEncoder().encode(credential))
        return try await governance.send(.POST, "/api/v1/credentials", token: tenant.adminToken,
                                         json: NewCloudCredential(organisationId: tenant.organisation.id, provider: provider, label: label, credential: fields))
    }

    @Test func eachProvidersCredentialsAreValidatedBeforeTheyAreStored() async throws {
        let governance = try GovernanceClient.direct()
        let tenant = try await governance.makeTenant("clouds", adminToken: try await governance.adminToken())

        let aws = try await MotoIdentities.shared().userKey
        let gcp = try await PeerAccounts.gcpKey()
        let (openstack, keystoneUser) = try await PeerAccounts.keystoneUser()
        let azure = try await PeerAccounts.azureApp()

        let stored: [(String, any Encodable, String)] = [("aws", aws, MotoIdentities.account), ("gcp", gcp, gcp.projectID),
                                                        ("openstack", openstack, openstack.projectName ?? ""), ("azure", azure, azure.tenantID)]
        for (provider, credential, account) in stored {
            let created = try governance.decode(CloudCredential.self, try await Self.upload(governance, tenant, provider: provider, label: "\(provider)-main", credential), expect: 201)
            #expect(created.provider == provider)
            #expect(created.account == account, "\(provider)")
        }
        let listed = try governance.decode([CloudCredential].self, try await governance.send(.GET, "/api/v1/credentials?organisationId=\(tenant.organisation.id)", token: tenant.adminToken), expect: 200)
        #expect(Set(listed.map(\.provider)) == ["aws", "gcp", "openstack", "azure"])
        #expect(listed.first { $0.provider == "openstack" }?.principal == keystoneUser.user_id)

        // Nothing secret in any answer, nor anywhere in the table.
        let secrets = [aws.secretAccessKey.revealed, gcp.privateKey.revealed, openstack.password.revealed, azure.clientSecret.revealed]
        let listing = try await governance.send(.GET, "/api/v1/credentials?organisationId=\(tenant.organisation.id)", token: tenant.adminToken).text
        let pemBody = gcp.privateKey.revealed.split(separator: "\n").dropFirst().first.map(String.init) ?? "missing"
        for secret in secrets + [pemBody] { #expect(!listing.contains(secret)) }
        try await withPostgres(try TestEnvironment.superuserDatabase()) { superuser in
            var table = ""
            for try await row in try await superuser.query("SELECT row_to_json(c)::text FROM governance.cloud_credentials c").decode(String.self) { table += row }
            #expect(table.contains("v1:"), "the sealed envelopes are there")
            for secret in secrets + [pemBody] { #expect(!table.contains(secret), "a secret is stored in the clear") }
        }
    }

    @Test func badCredentialsAreRefusedWithTheProvidersReason() async throws {
        let governance = try GovernanceClient.direct()
        let tenant = try await governance.makeTenant("badclouds", adminToken: try await governance.adminToken())

        var aws = try await MotoIdentities.shared().userKey
        aws.secretAccessKey = SecretString("not-the-secret-\(UUID().uuidString)")
        let awsProblem = try governance.problem(try await Self.upload(governance, tenant, provider: "aws", label: "a", aws), status: 422)
        #expect(awsProblem.detail?.contains("SignatureDoesNotMatch") == true, "\(awsProblem)")

        var (openstack, _) = try await PeerAccounts.keystoneUser()
        openstack.password = SecretString("wrong password")
        let keystoneProblem = try governance.problem(try await Self.upload(governance, tenant, provider: "openstack", label: "o", openstack), status: 422)
        #expect(keystoneProblem.detail?.contains("requires authentication") == true, "\(keystoneProblem)")

        var azure = try await PeerAccounts.azureApp()
        azure.clientSecret = SecretString("wrong")
        let azureProblem = try governance.problem(try await Self.upload(governance, tenant, provider: "azure", label: "z", azure), status: 422)
        #expect(azureProblem.detail?.contains("AADSTS7000215") == true, "\(azureProblem)")

        var gcp = try await PeerAccounts.gcpKey()
        gcp.tokenURI = "https://attacker.example/token"
        let gcpProblem = try governance.problem(try await Self.upload(governance, tenant, provider: "gcp", label: "g", gcp), status: 400)
        #expect(gcpProblem.errors?.first?.field == "credential.token_uri", "\(gcpProblem)")

        let unknown = try await governance.send(.POST, "/api/v1/credentials", token: tenant.adminToken,
                                                json: NewCloudCredential(organisationId: tenant.organisation.id, provider: "ibm", label: "x", credential: [:]))
        #expect(try governance.problem(unknown, status: 400).errors?.first?.field == "provider")
        let none = try governance.decode([CloudCredential].self, try await governance.send(.GET, "/api/v1/credentials?organisationId=\(tenant.organisation.id)", token: tenant.adminToken), expect: 200)
        #expect(none.isEmpty, "nothing refused was stored")
    }

    @Test func replacingOrDeletingACredentialNeedsASecondPerson() async throws {
        let governance = try GovernanceClient.direct()
        let platform = try await governance.adminToken()
        let tenant = try await governance.makeTenant("twoclouds", adminToken: platform)
        let first = try await PeerAccounts.azureApp()
        let created = try governance.decode(CloudCredential.self, try await Self.upload(governance, tenant, provider: "azure", label: "prod", first), expect: 201)

        let second = try await PeerAccounts.azureApp()
        let fields = try JSONDecoder().decode([String: String].self, from: try JSONEncoder().encode(second))
        let pending = try governance.decode(ApprovalPending.self, try await governance.send(
            .PUT, "/api/v1/credentials/\(created.id)", token: tenant.adminToken, json: ReplacementCloudCredential(credential: fields)), expect: 202)
        let unchanged = try governance.decode(CloudCredential.self, try await governance.send(.GET, "/api/v1/credentials/\(created.id)", token: tenant.adminToken), expect: 200)
        #expect(unchanged.account == first.tenantID, "nothing changes before the approval")
        _ = try governance.decode(Approval.self, try await governance.send(.POST, "/api/v1/approvals/\(pending.approval.id)/approve", token: platform, json: Decision()), expect: 200)
        let replaced = try governance.decode(CloudCredential.self, try await governance.send(.GET, "/api/v1/credentials/\(created.id)", token: tenant.adminToken), expect: 200)
        #expect(replaced.account == second.tenantID)

        let deletion = try governance.decode(ApprovalPending.self, try await governance.send(.DELETE, "/api/v1/credentials/\(created.id)", token: tenant.adminToken), expect: 202)
        _ = try governance.decode(Approval.self, try await governance.send(.POST, "/api/v1/approvals/\(deletion.approval.id)/approve", token: platform, json: Decision()), expect: 200)
        #expect(try await governance.send(.GET, "/api/v1/credentials/\(created.id)", token: tenant.adminToken).status == 404)

        // Another tenant sees none of it.
        let foreign = try await governance.makeTenant("cloudsnoop", adminToken: platform)
        try await TenancyProbe.assertCrossTenantDenied(
            base: governance.base,
            endpoints: [.init(method: .GET, path: "/api/v1/credentials?organisationId=\(tenant.organisation.id)")],
            foreignToken: foreign.adminToken, secrets: [second.tenantID])
    }
}
