import CumulusAPI
import Foundation
import CumulusKit
import Testing

/// The scenario the issue names: about ten real agents across four participants — some
/// stopped, one too small, one overloaded, one that dies in the middle of a task — and twenty
/// rounds of one probe task per participant, assigned (a) at random with one attempt and (b) by
/// filtering, circular order and retries. A round completes when every participant's task does.
@Suite(.serialized) struct AssignmentScenarioTests {
    static let rounds = 20

    @Test func filteredAssignmentCompletesEveryRoundWhereRandomChoiceDoesNot() async throws {
        let fixture = try await FederationFixture.make("scenario", participants: 4)
        let folder = FileManager.default.temporaryDirectory.appending(path: "cumulus-scenario-\(UUID().uuidString.prefix(8))").path
        let data = folder + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try "f1,f2,label\n1,2,0\n3,4,1\n".write(toFile: data + "/digits.csv", atomically: true, encoding: .utf8)

        // (participant, name, extra flags, role)
        let plan: [(Int, String, [String], String)] = [
            (0, "p0-good-a", [], "good"), (0, "p0-good-b", [], "good"), (0, "p0-stopped", [], "stopped"),
            (1, "p1-good", [], "good"), (1, "p1-small", ["--memory-gb", "1"], "small"),
            (1, "p1-overloaded", ["--telemetry-override", #"{"memoryPercent": 97}"#], "overloaded"),
            (2, "p2-good", [], "good"), (2, "p2-dies", [], "dies"),
            (3, "p3-good", [], "good"), (3, "p3-stopped", [], "stopped"),
        ]
        var agents: [String: AgentProcess] = [:]
        defer { for agent in agents.values { agent.stop(signal: SIGKILL) } }
        for (participant, name, extra, _) in plan {
            let agent = AgentProcess(name: name, folder: folder)
            try await agent.enrol(token: try await fixture.enrolmentToken(for: participant), region: ["eu-west-1", "us-east-1", "eu-central-1", "ap-south-1"][participant])
            try agent.start(data: data, extra: extra)
            agents[name] = agent
        }
        let owner = fixture.participants[0]
        let gateway = fixture.gateway
        // Every agent registers and heartbeats; then the stopped ones stop and fall inactive.
        let nodes = try await waitForNodes(count: plan.count, fixture: fixture)
        let nodeID = Dictionary(uniqueKeysWithValues: nodes.map { ($0.hostname, $0.id) })
        for (_, name, _, role) in plan where role == "stopped" {
            agents[name]!.stop()
            #expect(await agents[name]!.waitForExit() == 0, "SIGTERM ends the agent cleanly: \(agents[name]!.logText.suffix(500))")
        }
        try await waitUntil("the stopped nodes are inactive") {
            let list = try gateway.decode(NodeList.self, try await gateway.send(.GET, "/api/v1/nodes?federationId=\(fixture.federation.id)&status=inactive",
                                                                               token: owner.adminToken), expect: 200)
            return Set(list.nodes.map(\.hostname)) == ["p0-stopped", "p3-stopped"]
        }

        // The dying node is killed (SIGKILL: no goodbye) the moment it runs its first task.
        let dies = nodeID["p2-dies"]!
        let dying = agents["p2-dies"]!
        let ownerToken = owner.adminToken
        let federationID = fixture.federation.id
        let killer = Task { @Sendable () -> Bool in
            while !Task.isCancelled {
                let running = try? gateway.decode(TaskList.self, try await gateway.send(
                    .GET, "/api/v1/tasks?federationId=\(federationID)&nodeId=\(dies)&state=running", token: ownerToken), expect: 200)
                if running?.tasks.isEmpty == false { dying.stop(signal: SIGKILL); return true }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return false
        }

        let requirement = TaskRequirement(minimumVCPUs: 1, minimumMemoryGB: 2, dataset: "digits", maximumCPUUtilisation: 1,
                                          maximumMemoryUtilisation: 0.9, heartbeatFreshnessSeconds: 10)
        func round(_ number: Int, policy: AssignmentPolicy) async throws -> [TaskView] {
            var created: [UUID] = []
            for (index, participant) in fixture.participants.enumerated() {
                // The dying node's participant probes longer, so the kill lands mid-task.
                let duration = policy == .filtered && index == 2 && number <= 2 ? 3.0 : 0.3
                created.append(try gateway.decode(TaskView.self, try await gateway.send(.POST, "/api/v1/tasks", token: owner.adminToken, json: NewTask(
                    federationId: fixture.federation.id, organisationId: participant.organisation.id, kind: "probe",
                    parameters: ["durationSeconds": .number(duration), "memoryMiB": .number(8)], requirement: requirement, maxAttempts: 5,
                    leaseSeconds: 3, deadlineSeconds: 120, assignment: policy, reference: "\(policy.rawValue)/round-\(number)")), expect: 201).id)
            }
            var finished: [TaskView] = []
            for id in created {
                finished.append(try await waitForTask(id, token: owner.adminToken, gateway: gateway))
            }
            return finished
        }

        var filteredRounds: [[TaskView]] = []
        for number in 1...Self.rounds { filteredRounds.append(try await round(number, policy: .filtered)) }
        killer.cancel()
        #expect(await killer.value == true, "the dying node was given a task and killed during it")

        var randomRounds: [[TaskView]] = []
        for batch in stride(from: 1, through: Self.rounds, by: 5) {
            randomRounds += try await withThrowingTaskGroup(of: [TaskView].self) { group in
                for number in batch..<(batch + 5) { group.addTask { try await round(number, policy: .random) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }

        let completed = { (rounds: [[TaskView]]) in rounds.filter { $0.allSatisfy { $0.state == .succeeded } }.count }
        let filtered = completed(filteredRounds)
        let random = completed(randomRounds)
        print("assignment scenario: \(plan.count) nodes, 4 participants, \(Self.rounds) rounds each")
        print("  (a) random choice, one attempt:            \(random)/\(Self.rounds) rounds completed (\(random * 100 / Self.rounds) %)")
        print("  (b) filter + circular order + retries:     \(filtered)/\(Self.rounds) rounds completed (\(filtered * 100 / Self.rounds) %)")
        let retried = filteredRounds.joined().filter { $0.attempts.count > 1 }
        print("  (b) needed a retry in \(retried.count) task(s): " + retried.map { $0.attempts.compactMap(\.reason).joined(separator: " | ") }.joined(separator: "; "))
        #expect(filtered == Self.rounds, "every round completes with filtering and retries")
        #expect(random < Self.rounds, "random choice fails some rounds (stopped, small, overloaded and dead nodes)")

        let all = filteredRounds.joined()
        let badNodes: Set<UUID> = [nodeID["p0-stopped"]!, nodeID["p3-stopped"]!, nodeID["p1-small"]!, nodeID["p1-overloaded"]!]
        #expect(all.allSatisfy { $0.nodeId.map { !badNodes.contains($0) } ?? false }, "no filtered task ran on an ineligible node")
        #expect(retried.contains { $0.attempts.first?.nodeId == dies && $0.attempts.first?.outcome == "lease_expired" },
                "the task on the node that died was re-assigned after its lease lapsed")
        let reasons = all.flatMap(\.attempts).flatMap(\.verdicts).flatMap(\.reasons)
        #expect(reasons.contains("has 1 GB memory, needs 2 GB"))
        #expect(reasons.contains("memory at 97 %, limit 90 %"))
        #expect(reasons.contains("is inactive, not active"))
        // Circular order spreads the work between a participant's good nodes.
        let p0 = all.filter { $0.organisationId == fixture.participants[0].organisation.id }.compactMap(\.nodeId)
        let spread = Dictionary(grouping: p0, by: { $0 }).mapValues(\.count)
        #expect(spread.count == 2 && spread.values.allSatisfy { $0 == Self.rounds / 2 }, "work alternates between the two good nodes: \(spread)")
    }

    /// Node-hours reach the usage stream for the costs service, per node, in metering intervals.
    @Test func nodeHoursAreMeteredOntoTheUsageStream() async throws {
        let fixture = try await FederationFixture.make("metering", participants: 1)
        let node = try await fixture.enrolInTest(participant: 0, hostname: "metered-1")
        let pool = RedisPool(url: try TestEnvironment.redis(), maximumConnections: 1)
        // The test script meters every 5 s; heartbeat for a little longer than that.
        var found: [StreamMessage] = []
        let end = ContinuousClock.now + .seconds(40)
        while found.isEmpty, ContinuousClock.now < end {
            #expect(try await node.heartbeat().status == 200)
            try await Task.sleep(for: .seconds(1))
            found = try await pool.read("cumulus.usage", after: "0-0", count: 100_000, block: .milliseconds(10))
                .filter { $0.fields["node"] == node.id.uuidString.lowercased() }
        }
        let event = try #require(found.first, "no node-hours for the node on cumulus.usage")
        #expect(event.fields["kind"] == "node-hours")
        #expect(event.fields["federation"] == fixture.federation.id.uuidString.lowercased())
        #expect(event.fields["region"] == "eu-west-1")
        #expect((Double(event.fields["hours"] ?? "") ?? 0) > 4.0 / 3600, "at least one metering interval")
        #expect(event.fields["eventId"]?.isEmpty == false)
    }

    func waitForNodes(count: Int, fixture: FederationFixture) async throws -> [NodeView] {
        var nodes: [NodeView] = []
        try await waitUntil("\(count) agents register and heartbeat") {
            nodes = try fixture.gateway.decode(NodeList.self, try await fixture.gateway.send(
                .GET, "/api/v1/nodes?federationId=\(fixture.federation.id)", token: fixture.participants[0].adminToken), expect: 200).nodes
            return nodes.count == count && nodes.allSatisfy { $0.telemetry != nil }
        }
        return nodes
    }

    func waitForTask(_ id: UUID, token: String, gateway: GovernanceClient) async throws -> TaskView {
        var task: TaskView?
        try await waitUntil("task \(id) finishes", limit: .seconds(120)) {
            task = try gateway.decode(TaskView.self, try await gateway.send(.GET, "/api/v1/tasks/\(id)", token: token), expect: 200)
            return task!.state.isTerminal
        }
        return task!
    }

    func waitUntil(_ what: String, limit: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out waiting until \(what)")
        throw CancellationError()
    }
}
