import Crypto
import CumulusAPI
import FederatedCore
import Foundation
import Testing

/// A job with a defence, through the gateway: five participants play their part by hand (take
/// the task, download the global model, upload a signed update), one of them poisoned. Krum
/// must exclude it, say so in the round, and the new global model must be an honest one.
// Inside TrainingTests: serialized with the suite that restarts the coordinator.
extension TrainingTests { @Suite(.serialized) struct DefendedJobTests {
    static let digits = DatasetSummary(name: "digits", rows: 100, schemaHash: String(repeating: "d", count: 64))

    static func job(_ fixture: FederationFixture, defence: DefenceSpec?, minFitClients: Int, rounds: Int = 1) -> NewJob {
        NewJob(federationId: fixture.federation.id, name: "defended", model: ModelSpec(architecture: "logistic", inputs: 3, classes: 2), dataset: "digits",
               strategy: StrategySpec(name: "fedavg"), rounds: rounds, minFitClients: minFitClients, minAvailableClients: minFitClients,
               roundDeadlineSeconds: 120, evaluateEvery: 0, seed: 5, defence: defence)
    }

    @Test func defencesThatCannotWorkAreRefusedNamingTheField() async throws {
        let fixture = try await FederationFixture.make("defence-refused", participants: 1)
        let owner = fixture.participants[0].adminToken
        let gateway = fixture.gateway
        let unknown = try gateway.problem(try await gateway.send(.POST, "/api/v1/jobs", token: owner,
                                                                 json: Self.job(fixture, defence: DefenceSpec(name: "magic"), minFitClients: 1)), status: 400)
        #expect(unknown.errors?.first?.field == "defence")
        // Krum with one attacker needs rounds of at least 2f + 3 = 5 updates.
        let tooFew = try gateway.problem(try await gateway.send(.POST, "/api/v1/jobs", token: owner, json: Self.job(
            fixture, defence: DefenceSpec(name: "krum", hyperparameters: ["numMaliciousClients": 1]), minFitClients: 3)), status: 400)
        #expect(tooFew.errors?.first?.field == "minFitClients")
        #expect(tooFew.errors?.first?.limit == "5")
    }

    @Test func krumExcludesAPoisonedUpdateAndRecordsWhy() async throws {
        let fixture = try await FederationFixture.make("defended", participants: 5)
        let gateway = fixture.gateway
        let nodes = try await DefendedJobTests.enrolNodes(fixture, count: 5, label: "defended")
        let owner = fixture.participants[0].adminToken
        let job = try gateway.decode(JobView.self, try await gateway.send(.POST, "/api/v1/jobs", token: owner, json: Self.job(
            fixture, defence: DefenceSpec(name: "krum", hyperparameters: ["numMaliciousClients": 1]), minFitClients: 5)), expect: 201)

        // Participant i moves every weight by 0.01·(i+1); participant 4 is poisoned (+100).
        let global = try await Self.playRound(1, of: job, nodes: nodes, gateway: gateway) { index, value in value + (index == 4 ? 100 : 0.01 * Float(index + 1)) }

        let view = try await Self.waitUntil(job.id, gateway: gateway, token: owner) { $0.state.isTerminal }
        try #require(view.state == .succeeded, "\(view.state) \(view.error ?? "")")
        let verdicts = try #require(view.rounds.first?.verdicts)
        #expect(verdicts.count == 5)
        let poisoned = fixture.participants[4].organisation.id
        let verdict = try #require(verdicts.first { $0.organisationId == poisoned })
        #expect(verdict.decision == "excluded" && verdict.influence == 0, "\(verdict)")
        #expect(verdict.reason.contains("Krum score"))
        #expect(verdicts.filter { $0.decision == "kept" }.count == 1)
        #expect(abs(verdicts.map(\.influence).reduce(0, +) - 1) < 1e-9)

        // The new global model is an honest participant's: every weight moved by 0.01 to 0.04.
        let hash = try #require(view.globalModelHash)
        let after = try SafetensorsReader().read([UInt8](try await gateway.send(.GET, "/api/v1/models/blobs/\(hash)", token: owner).body))
        let before = global
        for (name, tensor) in after {
            for (new, old) in zip(tensor.floatValues(), before[name]!.floatValues()) {
                #expect((0.009...0.041).contains(new - old), "\(name): moved \(new - old)")
            }
        }
    }

    /// FedQV's credits live in the job between rounds: the sign-flipped participant loses its
    /// whole budget in round 1, and round 2 starts from what round 1 left, not from a fresh one.
    @Test func fedQVCarriesCreditsFromRoundToRound() async throws {
        let fixture = try await FederationFixture.make("fedqv", participants: 3)
        let gateway = fixture.gateway
        let nodes = try await DefendedJobTests.enrolNodes(fixture, count: 3, label: "fedqv")
        let owner = fixture.participants[0].adminToken
        let job = try gateway.decode(JobView.self, try await gateway.send(.POST, "/api/v1/jobs", token: owner, json: Self.job(
            fixture, defence: DefenceSpec(name: "fedqv", hyperparameters: ["budget": 30, "theta": 0.2]), minFitClients: 3, rounds: 2)), expect: 201)
        // Honest participants nudge the model; participant 2 sends it back reversed and scaled.
        let attack: @Sendable (Int, Float) -> Float = { index, value in index == 2 ? -10 * value : value + 0.01 * Float(index + 1) }
        _ = try await Self.playRound(1, of: job, nodes: nodes, gateway: gateway, change: attack)
        _ = try await Self.waitUntil(job.id, gateway: gateway, token: owner) { $0.completedRounds >= 1 || $0.state.isTerminal }
        for node in nodes { _ = try await node.heartbeat(datasets: [Self.digits]) }
        _ = try await Self.playRound(2, of: job, nodes: nodes, gateway: gateway, change: attack)
        let view = try await Self.waitUntil(job.id, gateway: gateway, token: owner) { $0.state.isTerminal }
        try #require(view.state == .succeeded, "\(view.state) \(view.error ?? "")")
        let attacker = fixture.participants[2].organisation.id
        let first = try #require(view.rounds[0].verdicts?.first { $0.organisationId == attacker })
        let second = try #require(view.rounds[1].verdicts?.first { $0.organisationId == attacker })
        #expect(first.decision == "excluded" && first.reason.contains("vote masked, budget 30.0 → 0.0"), "\(first.reason)")
        #expect(second.decision == "excluded" && second.reason.contains("budget 0.0 → 0.0"), "round 2 starts from round 1's credits: \(second.reason)")
        let honest = try #require(view.rounds[1].verdicts?.first { $0.organisationId == fixture.participants[0].organisation.id })
        #expect(honest.influence > 0 && honest.reason.contains("credits"), "\(honest.reason)")
    }

    /// Each node takes its round's task, downloads the global model, uploads `change` applied to
    /// every weight (signed) and reports success; answers the global model it started from.
    static func playRound(_ round: Int, of job: JobView, nodes: [TestNode], gateway: GovernanceClient,
                          change: @Sendable (Int, Float) -> Float, checkTask: (TaskAssignment) -> Void = { _ in }) async throws -> TensorCollection {
        var global: TensorCollection?
        for (index, node) in nodes.enumerated() {
            let task = try gateway.decode(TaskAssignment.self, try await gateway.send(.GET, "/api/v1/agent/tasks/next?waitSeconds=30", token: node.token), expect: 200)
            checkTask(task)
            let model = try SafetensorsReader().read([UInt8](try await gateway.send(.GET, "/api/v1/models/blobs/\(task.parameters["model"]!.string!)", token: node.token).body))
            global = model
            var update = TensorCollection()
            for (name, tensor) in model { try update.insert(try Tensor(shape: tensor.shape, values: tensor.floatValues().map { change(index, $0) }), named: name) }
            let bytes = try SafetensorsWriter().write(update)
            let sha = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            let signature = try node.signing.signature(for: UpdateHeaders.signedMessage(sha256: sha, jobId: job.id, round: round, task: task.taskId))
            let answer = try await HTTPTestClient.send(try TestEnvironment.gateway() + task.parameters["upload"]!.string!, method: .PUT, headers: [
                "Authorization": "Bearer \(node.token)", UpdateHeaders.task: task.taskId.uuidString.lowercased(), UpdateHeaders.examples: "10",
                UpdateHeaders.signature: signature.base64EncodedString()], body: Data(bytes))
            #expect(answer.status == 201, "\(answer.text)")
            _ = try await gateway.send(.POST, "/api/v1/agent/tasks/\(task.taskId)/status", token: node.token,
                                       json: TaskStatusReport(attempt: task.attempt, sequence: 1, outcome: .succeeded))
        }
        return try #require(global)
    }

    /// One in-test node per participant, each reporting the digits dataset.
    static func enrolNodes(_ fixture: FederationFixture, count: Int, label: String) async throws -> [TestNode] {
        var nodes: [TestNode] = []
        for index in 0..<count {
            let node = try await fixture.enrolInTest(participant: index, hostname: "\(label)-\(index)")
            #expect(try await node.heartbeat(datasets: [digits]).status == 200)
            nodes.append(node)
        }
        return nodes
    }

    static func waitUntil(_ job: UUID, gateway: GovernanceClient, token: String, _ done: (JobView) -> Bool) async throws -> JobView {
        var view = try gateway.decode(JobView.self, try await gateway.send(.GET, "/api/v1/jobs/\(job)", token: token), expect: 200)
        for _ in 0..<150 where !done(view) {
            try await Task.sleep(for: .milliseconds(200))
            view = try gateway.decode(JobView.self, try await gateway.send(.GET, "/api/v1/jobs/\(job)", token: token), expect: 200)
        }
        return view
    }
}}
