import CumulusAPI
import Crypto
import Foundation
import Testing

/// A federation with several participant organisations, built through governance like a user
/// would, plus helpers to enrol nodes (in-test keys, or real `cumulus-agent` processes).
struct FederationFixture {
    let gateway: GovernanceClient
    let platformToken: String
    let federation: Federation
    /// participants[0] owns the federation; the others were invited and accepted.
    let participants: [GovernanceClient.Tenant]

    static func make(_ label: String, participants count: Int) async throws -> FederationFixture {
        let gateway = GovernanceClient(base: try TestEnvironment.gateway())
        let platform = try await gateway.adminToken()
        var tenants: [GovernanceClient.Tenant] = []
        for index in 0..<count { tenants.append(try await gateway.makeTenant("\(label)\(index)", adminToken: platform)) }
        let federation = try gateway.decode(Federation.self, try await gateway.send(
            .POST, "/api/v1/federations", token: tenants[0].adminToken,
            json: NewFederation(name: TestEnvironment.uniqueName(label), ownerOrganisationId: tenants[0].organisation.id)), expect: 201)
        for guest in tenants.dropFirst() {
            _ = try await gateway.send(.POST, "/api/v1/federations/\(federation.id)/invitations", token: tenants[0].adminToken,
                                       json: Invitation(organisationId: guest.organisation.id))
            _ = try gateway.decode(Federation.self, try await gateway.send(
                .POST, "/api/v1/federations/\(federation.id)/invitations/\(guest.organisation.id)/accept", token: guest.adminToken), expect: 200)
        }
        return FederationFixture(gateway: gateway, platformToken: platform, federation: federation, participants: tenants)
    }

    func enrolmentToken(for participant: Int) async throws -> String {
        let tenant = participants[participant]
        return try gateway.decode(EnrolmentTokenCreated.self, try await gateway.send(
            .POST, "/api/v1/federations/\(federation.id)/enrolment-tokens", token: tenant.adminToken,
            json: NewEnrolmentToken(organisationId: tenant.organisation.id, expiresInMinutes: 10)), expect: 201).token
    }

    /// A node enrolled with keys held by the test, registered with the orchestrator.
    func enrolInTest(participant: Int, hostname: String, memoryGiB: Int64 = 16) async throws -> TestNode {
        let signing = Curve25519.Signing.PrivateKey()
        let agreement = Curve25519.KeyAgreement.PrivateKey()
        let enrolled = try gateway.decode(EnrolledNode.self, try await gateway.sendWaitingOutRateLimit(.POST, "/api/v1/auth/enrol", json: EnrolmentRequest(
            token: try await enrolmentToken(for: participant), hostname: hostname, signingPublicKey: signing.publicKey.rawRepresentation.base64EncodedString(),
            agreementPublicKey: agreement.publicKey.rawRepresentation.base64EncodedString())), expect: 201)
        var node = TestNode(gateway: gateway, id: enrolled.nodeId, signing: signing, token: "")
        node.token = try await node.freshToken()
        let registration = NodeRegistration(
            federationId: federation.id, hostname: hostname, location: NodeLocation(provider: "aws", region: "eu-west-1"),
            specs: NodeSpecs(vcpus: 4, memoryBytes: memoryGiB << 30, diskBytes: 100 << 30), labels: ["test": "true"],
            signingPublicKey: signing.publicKey.rawRepresentation.base64EncodedString(),
            agreementPublicKey: agreement.publicKey.rawRepresentation.base64EncodedString(), agentVersion: "test")
        _ = try gateway.decode(NodeView.self, try await gateway.send(.POST, "/api/v1/agent/register", token: node.token, json: registration), expect: 200)
        return node
    }
}

struct TestNode {
    let gateway: GovernanceClient
    let id: UUID
    let signing: Curve25519.Signing.PrivateKey
    var token: String

    func freshToken() async throws -> String {
        let timestamp = Int64(Date.now.timeIntervalSince1970 * 1000)
        let signature = try signing.signature(for: NodeTokenRequest.message(nodeId: id, timestamp: timestamp)).base64EncodedString()
        return try gateway.decode(AccessToken.self, try await gateway.sendWaitingOutRateLimit(
            .POST, "/api/v1/auth/node-token", json: NodeTokenRequest(nodeId: id, timestamp: timestamp, signature: signature)), expect: 200).accessToken
    }

    static func telemetry(cpu: Double = 10, memoryUsed: Int64 = 2 << 30) -> Telemetry {
        Telemetry(cpuPercent: cpu, memoryUsedBytes: memoryUsed, memoryTotalBytes: 16 << 30, diskUsedBytes: 10 << 30, diskFreeBytes: 90 << 30, load: [0.5, 0.4, 0.3])
    }

    func heartbeat(_ telemetry: Telemetry = telemetry(), datasets: [DatasetSummary] = []) async throws -> HTTPTestClient.Answer {
        try await gateway.send(.POST, "/api/v1/agent/heartbeat", token: token, json: Heartbeat(telemetry: telemetry, datasets: datasets))
    }
}

/// A real `cumulus-agent run` process, enrolled through the gateway like an operator would.
final class AgentProcess: @unchecked Sendable {
    let name: String
    let state: String
    let process = Process()
    let log: String

    init(name: String, folder: String) {
        self.name = name
        self.state = folder + "/" + name
        self.log = folder + "/" + name + ".log"
    }

    static var binary: String { (ProcessInfo.processInfo.environment["CUMULUS_TEST_BIN_DIR"] ?? ".build/debug") + "/cumulus-agent" }

    func enrol(token: String, region: String) async throws {
        let outcome = try await ProcessRunner.run(Self.binary, [
            "enroll", "--gateway", try TestEnvironment.gateway(), "--token", token, "--state", state, "--ca-file", try TestEnvironment.value("CUMULUS_TEST_GATEWAY_CA"),
            "--hostname", name, "--provider", "aws", "--region", region, "--no-metadata",
        ])
        try #require(outcome.status == 0, "enrol \(name): \(outcome.standardError)")
    }

    func start(data: String, extra: [String] = []) throws {
        FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["run", "--data", data, "--state", state, "--ca-file", try TestEnvironment.value("CUMULUS_TEST_GATEWAY_CA")] + extra
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
    }

    func stop(signal: Int32 = SIGTERM) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, signal)
    }

    /// Waits (without blocking a cooperative thread) for the process to end.
    func waitForExit(limit: Duration = .seconds(15)) async -> Int32? {
        let end = ContinuousClock.now + limit
        while process.isRunning, ContinuousClock.now < end { try? await Task.sleep(for: .milliseconds(50)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
}
