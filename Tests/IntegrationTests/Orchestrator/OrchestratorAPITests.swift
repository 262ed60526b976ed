import CumulusAPI
import Foundation
import Testing

/// The orchestrator through the gateway: node credentials, heartbeats and their validation,
/// the task state machine with idempotent reports, tenancy.
@Suite struct OrchestratorAPITests {
    @Test func heartbeatsAreValidatedAndCredentialsMustStand() async throws {
        let fixture = try await FederationFixture.make("hb", participants: 1)
        let node = try await fixture.enrolInTest(participant: 0, hostname: "hb-1")
        let gateway = fixture.gateway

        let ok = try gateway.decode(HeartbeatAck.self, try await node.heartbeat(), expect: 200)
        #expect(ok.status == .active)

        let hot = try gateway.problem(try await node.heartbeat(TestNode.telemetry(cpu: 500)), status: 400)
        #expect(hot.errors?.first?.field == "telemetry.cpuPercent")
        #expect(hot.errors?.first?.limit == "0 to 100")
        let negative = try gateway.problem(try await node.heartbeat(TestNode.telemetry(memoryUsed: -5)), status: 400)
        #expect(negative.errors?.first?.field == "telemetry.memoryUsedBytes")
        let badDataset = try gateway.problem(try await node.heartbeat(datasets: [DatasetSummary(name: "../etc", rows: 3, schemaHash: "x")]), status: 400)
        #expect(badDataset.errors?.first?.field == "datasets[0].name")

        // An unknown credential, and a person's token on an agent endpoint.
        #expect(try await gateway.send(.POST, "/api/v1/agent/heartbeat", token: "not-a-token", json: Heartbeat(telemetry: TestNode.telemetry(), datasets: [])).status == 401)
        #expect(try await gateway.send(.POST, "/api/v1/agent/heartbeat", token: fixture.participants[0].adminToken,
                                       json: Heartbeat(telemetry: TestNode.telemetry(), datasets: [])).status == 403)

        // Revoked at governance: the token it already holds stops working at once.
        #expect(try await gateway.send(.DELETE, "/api/v1/auth/nodes/\(node.id)", token: fixture.participants[0].adminToken).status == 204)
        var revokedStatus = 0
        for _ in 0..<20 {
            revokedStatus = try await node.heartbeat().status
            if revokedStatus == 401 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(revokedStatus == 401)
        #expect(try await gateway.send(.POST, "/api/v1/auth/node-token", json: NodeTokenRequest(nodeId: node.id, timestamp: 0, signature: "")).status == 401)

        // The node's telemetry is visible to its organisation, with history.
        let detail = try gateway.decode(NodeDetail.self, try await gateway.send(.GET, "/api/v1/nodes/\(node.id)", token: fixture.participants[0].adminToken), expect: 200)
        #expect(detail.history.count == 1, "only the valid heartbeat was stored")
        #expect(detail.node.telemetry?.cpuPercent == 10)
    }

    /// Thirty heartbeats sent at once, which the orchestrator may group into shared writes (this
    /// test cannot see whether it did): none may be lost, mixed up between nodes, or answered
    /// before it is stored.
    @Test func concurrentHeartbeatsAreEachStoredForTheirOwnNode() async throws {
        let fixture = try await FederationFixture.make("hb-many", participants: 1)
        let gateway = fixture.gateway
        let owner = fixture.participants[0]
        var nodes: [TestNode] = []
        for index in 0..<6 { nodes.append(try await fixture.enrolInTest(participant: 0, hostname: "hb-many-\(index)")) }
        let beats = 5
        // Every node sends `beats` heartbeats at once; node i reports cpu = 10 * i + beat.
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for (index, node) in nodes.enumerated() {
                for beat in 0..<beats {
                    group.addTask { try await node.heartbeat(TestNode.telemetry(cpu: Double(10 * index + beat))).status }
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.count == nodes.count * beats)
        #expect(statuses.allSatisfy { $0 == 200 }, "\(statuses)")
        for (index, node) in nodes.enumerated() {
            let detail = try gateway.decode(NodeDetail.self, try await gateway.send(.GET, "/api/v1/nodes/\(node.id)", token: owner.adminToken), expect: 200)
            #expect(detail.history.count == beats, "node \(index): \(detail.history.count) samples")
            let own = Set((0..<beats).map { Double(10 * index + $0) })
            #expect(detail.history.allSatisfy { own.contains($0.cpuPercent) }, "node \(index): \(detail.history.map(\.cpuPercent))")
            #expect(detail.history.allSatisfy { $0.gpuPercent == nil }, "no GPU is stored as no value")
            #expect(detail.node.telemetry.map { own.contains($0.cpuPercent) } == true)
            #expect(detail.node.status == .active)
        }
    }

    @Test func tasksMoveThroughTheirStatesAndReportsAreIdempotent() async throws {
        let fixture = try await FederationFixture.make("task", participants: 1)
        let gateway = fixture.gateway
        let owner = fixture.participants[0]
        var node = try await fixture.enrolInTest(participant: 0, hostname: "task-1")
        _ = try await node.heartbeat(datasets: [DatasetSummary(name: "digits", rows: 100, schemaHash: String(repeating: "a", count: 64))])

        let created = try gateway.decode(TaskView.self, try await gateway.send(.POST, "/api/v1/tasks", token: owner.adminToken, json: NewTask(
            federationId: fixture.federation.id, organisationId: owner.organisation.id, kind: "probe", parameters: ["durationSeconds": .number(0.1)],
            requirement: TaskRequirement(minimumMemoryGB: 4, dataset: "digits"), leaseSeconds: 30)), expect: 201)
        #expect([.pending, .assigned].contains(created.state), "new, or already decided by a dispatcher")

        let assignment = try gateway.decode(TaskAssignment.self, try await gateway.send(.GET, "/api/v1/agent/tasks/next?waitSeconds=10", token: node.token), expect: 200)
        #expect(assignment.taskId == created.id)
        #expect(assignment.attempt == 1)
        let path = "/api/v1/agent/tasks/\(created.id)/status"
        let running = try gateway.decode(TaskStatusAck.self, try await gateway.send(.POST, path, token: node.token,
                                                                                    json: TaskStatusReport(attempt: 1, sequence: 1, outcome: .running, progress: 0.5)), expect: 200)
        #expect(running.applied && running.state == .running)
        let replay = try gateway.decode(TaskStatusAck.self, try await gateway.send(.POST, path, token: node.token,
                                                                                   json: TaskStatusReport(attempt: 1, sequence: 1, outcome: .running, progress: 0.5)), expect: 200)
        #expect(!replay.applied, "a replayed report changes nothing")
        let done = try gateway.decode(TaskStatusAck.self, try await gateway.send(.POST, path, token: node.token,
                                                                                 json: TaskStatusReport(attempt: 1, sequence: 3, outcome: .succeeded, result: ["ok": .bool(true)])), expect: 200)
        #expect(done.applied && done.state == .succeeded)
        let late = try gateway.decode(TaskStatusAck.self, try await gateway.send(.POST, path, token: node.token,
                                                                                 json: TaskStatusReport(attempt: 1, sequence: 2, outcome: .failed, message: "late")), expect: 200)
        #expect(!late.applied && late.state == .succeeded, "an out-of-order report after success is ignored")
        let badProgress = try gateway.problem(try await gateway.send(.POST, path, token: node.token,
                                                                     json: TaskStatusReport(attempt: 1, sequence: 9, outcome: .running, progress: 7)), status: 400)
        #expect(badProgress.errors?.first?.field == "progress")

        let task = try gateway.decode(TaskView.self, try await gateway.send(.GET, "/api/v1/tasks/\(created.id)", token: owner.adminToken), expect: 200)
        #expect(task.state == .succeeded)
        #expect(task.result?["ok"] == .bool(true))
        #expect(task.attempts.count == 1)
        #expect(task.attempts.first?.verdicts.first?.eligible == true)
        #expect(task.transitions.map(\.to) == [.pending, .assigned, .running, .succeeded])

        // Another node of the same participant cannot report on this task.
        let other = try await fixture.enrolInTest(participant: 0, hostname: "task-2")
        #expect(try await gateway.send(.POST, path, token: other.token, json: TaskStatusReport(attempt: 1, sequence: 10, outcome: .failed)).status == 404)

        // Drained nodes get nothing; the decision says why.
        node.token = try await node.freshToken()
        _ = try gateway.decode(NodeView.self, try await gateway.send(.POST, "/api/v1/nodes/\(node.id)/drain", token: owner.adminToken), expect: 200)
        _ = try gateway.decode(NodeView.self, try await gateway.send(.POST, "/api/v1/nodes/\(other.id)/drain", token: owner.adminToken), expect: 200)
        let refused = try gateway.decode(TaskView.self, try await gateway.send(.POST, "/api/v1/tasks", token: owner.adminToken, json: NewTask(
            federationId: fixture.federation.id, organisationId: owner.organisation.id, kind: "probe", maxAttempts: 1)), expect: 201)
        let failed = try await waitFor(refused.id, token: owner.adminToken, gateway: gateway) { $0.state.isTerminal }
        #expect(failed.state == .failed)
        #expect(failed.error?.contains("participant unavailable") == true)
        #expect(failed.attempts.first?.verdicts.allSatisfy { $0.reasons.contains("is draining, not active") } == true)
    }

    @Test func nodesAndTasksOfAnotherTenantAreInvisibleAndNeverAssigned() async throws {
        let fixture = try await FederationFixture.make("tenancy", participants: 2)
        let gateway = fixture.gateway
        let (owner, guest) = (fixture.participants[0], fixture.participants[1])
        let ownerNode = try await fixture.enrolInTest(participant: 0, hostname: "owner-1")
        _ = try await ownerNode.heartbeat()

        // The guest participant has no node: its task must never reach the owner's.
        let guestTask = try gateway.decode(TaskView.self, try await gateway.send(.POST, "/api/v1/tasks", token: owner.adminToken, json: NewTask(
            federationId: fixture.federation.id, organisationId: guest.organisation.id, kind: "probe", maxAttempts: 2)), expect: 201)
        #expect(try await gateway.send(.GET, "/api/v1/agent/tasks/next?waitSeconds=2", token: ownerNode.token).status == 204)
        let unavailable = try await waitFor(guestTask.id, token: owner.adminToken, gateway: gateway) { $0.state.isTerminal }
        #expect(unavailable.state == .failed)
        #expect(unavailable.attempts.allSatisfy { $0.nodeId == nil })
        #expect(unavailable.error?.contains("no enrolled nodes") == true)

        let outsider = try await gateway.makeTenant("outsider", adminToken: fixture.platformToken)
        try await TenancyProbe.assertCrossTenantDenied(base: try TestEnvironment.gateway(), endpoints: [
            .init(method: .GET, path: "/api/v1/nodes/\(ownerNode.id)"),
            .init(method: .POST, path: "/api/v1/nodes/\(ownerNode.id)/drain"),
            .init(method: .GET, path: "/api/v1/tasks/\(guestTask.id)"),
            .init(method: .POST, path: "/api/v1/tasks/\(guestTask.id)/cancel"),
        ], foreignToken: outsider.adminToken, secrets: ["owner-1"])
        let outsiderList = try gateway.decode(NodeList.self, try await gateway.send(.GET, "/api/v1/nodes?federationId=\(fixture.federation.id)", token: outsider.adminToken), expect: 200)
        #expect(outsiderList.nodes.isEmpty, "an outsider's listing is narrowed to its own organisation")
        // A member of the federation sees its own organisation's nodes, not the owner's.
        let guestView = try gateway.decode(NodeList.self, try await gateway.send(
            .GET, "/api/v1/nodes?federationId=\(fixture.federation.id)&organisationId=\(guest.organisation.id)", token: guest.adminToken), expect: 200)
        #expect(guestView.nodes.isEmpty)
        let ownerView = try gateway.decode(NodeList.self, try await gateway.send(.GET, "/api/v1/nodes?federationId=\(fixture.federation.id)", token: owner.adminToken), expect: 200)
        #expect(ownerView.nodes.map(\.id) == [ownerNode.id])
    }

    func waitFor(_ id: UUID, token: String, gateway: GovernanceClient, limit: Duration = .seconds(30), until: (TaskView) -> Bool) async throws -> TaskView {
        let end = ContinuousClock.now + limit
        while true {
            let task = try gateway.decode(TaskView.self, try await gateway.send(.GET, "/api/v1/tasks/\(id)", token: token), expect: 200)
            if until(task) || ContinuousClock.now > end { return task }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
