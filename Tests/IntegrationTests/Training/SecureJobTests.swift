import Crypto
import CumulusAPI
import CumulusKit
import FederatedCore
import Foundation
import PostgresNIO
import SecureAggregation
import Testing

/// Jobs with secure aggregation, through the gateway: five in-test agents play SecAgg+ by hand
/// (the protocol's own client, the coordinator's real routes), dropping out where the test says.
/// The round's new global model must be the plain example-weighted FedAvg of the updates that
/// reached the sum, within the quantisation error — and the coordinator must never hold one of
/// them in the clear.
// Inside TrainingTests: serialized with the suite that restarts the coordinator.
extension TrainingTests { @Suite(.serialized) struct SecureJobTests {
    static let agents = 5
    /// ⌈0.6 × 5⌉ = 3 of 5: a round survives n − t = 2 dropouts. The stage timeout is what a
    /// dropout costs; it must also leave the five in-test agents time to answer on a busy machine.
    static let secure = SecureAggregationSpec(threshold: 0.6, clippingRange: 1, maxExamples: 100, stageTimeoutSeconds: 5)

    static func job(_ fixture: FederationFixture, rounds: Int, secure: SecureAggregationSpec? = Self.secure, minFitClients: Int = agents,
                    defence: DefenceSpec? = nil) -> NewJob {
        NewJob(federationId: fixture.federation.id, name: "secure", model: ModelSpec(architecture: "logistic", inputs: 3, classes: 2), dataset: "digits",
               strategy: StrategySpec(name: "fedavg"), rounds: rounds, minFitClients: minFitClients, minAvailableClients: minFitClients,
               roundDeadlineSeconds: 60, evaluateEvery: 0, seed: 9, defence: defence, secureAggregation: secure)
    }

    @Test func combinationsThatCannotWorkAreRefusedNamingTheField() async throws {
        let fixture = try await FederationFixture.make("secure-refused", participants: 1)
        let owner = fixture.participants[0].adminToken
        let gateway = fixture.gateway
        let withDefence = try gateway.problem(try await gateway.send(.POST, "/api/v1/jobs", token: owner, json: Self.job(
            fixture, rounds: 1, defence: DefenceSpec(name: "fedmedian"))), status: 400)
        #expect(withDefence.errors?.first?.field == "secureAggregation")
        let lowThreshold = try gateway.problem(try await gateway.send(.POST, "/api/v1/jobs", token: owner, json: Self.job(
            fixture, rounds: 1, secure: SecureAggregationSpec(threshold: 0.5))), status: 400)
        #expect(lowThreshold.errors?.first?.field == "secureAggregation.threshold")
        let alone = try gateway.problem(try await gateway.send(.POST, "/api/v1/jobs", token: owner, json: Self.job(fixture, rounds: 1, minFitClients: 1)),
                                        status: 400)
        #expect(alone.errors?.first?.field == "minFitClients")
    }

    /// Eleven rounds of one job: no dropout, then one and n − t = 2 agents dropping out at each
    /// of the five stages. Agents that dropped before sending their masked input are not in the
    /// sum; those that dropped after it are (their masks are removed through the others' shares).
    @Test func theUnmaskedSumIsThePlainWeightedSumWhoeverDropsOut() async throws {
        var cases: [(stage: SecAggStage?, dropping: Set<Int>)] = [(nil, [])]
        for stage in SecAggStage.agentStages {
            cases.append((stage, [1]))
            cases.append((stage, [0, 3]))
        }
        let fixture = try await FederationFixture.make("secure-sum", participants: Self.agents)
        let gateway = fixture.gateway
        let owner = fixture.participants[0].adminToken
        let nodes = try await DefendedJobTests.enrolNodes(fixture, count: Self.agents, label: "secure-sum")
        let job = try gateway.decode(JobView.self, try await gateway.send(.POST, "/api/v1/jobs", token: owner, json: Self.job(fixture, rounds: cases.count)),
                                     expect: 201)
        for (index, test) in cases.enumerated() {
            let round = index + 1
            for node in nodes { _ = try await node.heartbeat(datasets: [DefendedJobTests.digits]) }
            let played = try await Self.playRound(round, of: job, nodes: nodes, gateway: gateway) { agent, stage in
                stage == test.stage && test.dropping.contains(agent)
            }
            let view = try await DefendedJobTests.waitUntil(job.id, gateway: gateway, token: owner) { $0.completedRounds >= round || $0.state.isTerminal }
            try #require(view.completedRounds >= round, "round \(round) (\(test)): \(view.state) \(view.error ?? "")")
            let summary = try #require(view.rounds[index].secure, "round \(round) has no secure summary")
            #expect(summary.joined == Self.agents && summary.threshold == 3)
            #expect(Set(summary.contributors) == Set(played.contributors.map { fixture.participants[$0].organisation.id }), "round \(round) \(test)")
            #expect(summary.dropped.count == test.dropping.count, "round \(round) \(test): \(summary.dropped)")
            if let stage = test.stage { #expect(summary.dropped.values.allSatisfy { $0 == stage.rawValue }, "\(summary.dropped)") }

            // The new global model is the plain FedAvg of the contributors' updates.
            let after = try SafetensorsReader().read([UInt8](try await gateway.send(.GET, "/api/v1/models/blobs/\(try #require(view.rounds[index].modelHash))",
                                                                                       token: owner).body))
            for (name, tensor) in after {
                for (actual, expected) in zip(tensor.floatValues(), played.expectedMean[name]!.floatValues()) {
                    #expect(abs(actual - expected) < 1e-5, "round \(round) \(test) \(name): \(actual) vs \(expected)")
                }
            }
        }
        let done = try await DefendedJobTests.waitUntil(job.id, gateway: gateway, token: owner) { $0.state.isTerminal }
        #expect(done.state == .succeeded, "\(done.error ?? "")")
    }

    /// SecAgg+'s sparse graph: with `neighbours` 2 each of five agents shares with two others
    /// (neighbourhoods of three, t = 2), and the sum is the same, with or without a dropout.
    @Test func aSparseRingOfNeighboursGivesTheSameSum() async throws {
        let fixture = try await FederationFixture.make("secure-ring", participants: Self.agents)
        let gateway = fixture.gateway
        let owner = fixture.participants[0].adminToken
        let nodes = try await DefendedJobTests.enrolNodes(fixture, count: Self.agents, label: "secure-ring")
        var secure = Self.secure
        secure.neighbours = 2
        let job = try gateway.decode(JobView.self, try await gateway.send(.POST, "/api/v1/jobs", token: owner, json: Self.job(fixture, rounds: 2, secure: secure)),
                                     expect: 201)
        for round in 1...2 {
            for node in nodes { _ = try await node.heartbeat(datasets: [DefendedJobTests.digits]) }
            let played = try await Self.playRound(round, of: job, nodes: nodes, gateway: gateway) { agent, stage in
                round == 2 && agent == 2 && stage == .maskedInput
            }
            let view = try await DefendedJobTests.waitUntil(job.id, gateway: gateway, token: owner) { $0.completedRounds >= round || $0.state.isTerminal }
            try #require(view.completedRounds >= round, "round \(round): \(view.state) \(view.error ?? "")")
            let summary = try #require(view.rounds[round - 1].secure)
            #expect(summary.threshold == 2 && summary.contributors.count == (round == 1 ? 5 : 4), "\(summary)")
            let after = try SafetensorsReader().read([UInt8](try await gateway.send(.GET, "/api/v1/models/blobs/\(try #require(view.rounds[round - 1].modelHash))",
                                                                                       token: owner).body))
            for (name, tensor) in after {
                for (actual, expected) in zip(tensor.floatValues(), played.expectedMean[name]!.floatValues()) {
                    #expect(abs(actual - expected) < 1e-5, "round \(round) \(name): \(actual) vs \(expected)")
                }
            }
        }
    }

    /// Below the threshold the attempt is aborted and the round runs again; a tampered share is
    /// refused and its sender treated as dropped; what the coordinator stores is never an update
    /// in the clear.
    @Test func belowThresholdAbortsAndTheRoundRunsAgainWithoutLeakingUpdates() async throws {
        let fixture = try await FederationFixture.make("secure-abort", participants: Self.agents)
        let gateway = fixture.gateway
        let owner = fixture.participants[0].adminToken
        let nodes = try await DefendedJobTests.enrolNodes(fixture, count: Self.agents, label: "secure-abort")
        let job = try gateway.decode(JobView.self, try await gateway.send(.POST, "/api/v1/jobs", token: owner, json: Self.job(fixture, rounds: 1)), expect: 201)

        // Attempt 1: three of five never send their masked input — two are fewer than t = 3.
        let first = try await Self.playRound(1, of: job, nodes: nodes, gateway: gateway) { agent, stage in stage == .maskedInput && agent >= 2 }
        #expect(first.abortedAt == .maskedInput, "\(first)")

        // Attempt 2: agent 4 tampers with one of its encrypted shares; the coordinator refuses the
        // bundle (the share's signature no longer verifies) and the round goes on without it.
        for node in nodes { _ = try await node.heartbeat(datasets: [DefendedJobTests.digits]) }
        let second = try await Self.playRound(1, of: job, nodes: nodes, gateway: gateway, tamperShareOf: 4, inspect: { leaks in
            #expect(leaks.isEmpty, "the coordinator stores an update in the clear: \(leaks)")
        }) { _, _ in false }
        #expect(second.abortedAt == nil)
        #expect(second.tamperedRefusal?.contains("signature") == true, "\(second.tamperedRefusal ?? "no refusal")")

        let view = try await DefendedJobTests.waitUntil(job.id, gateway: gateway, token: owner) { $0.state.isTerminal }
        try #require(view.state == .succeeded, "\(view.state) \(view.error ?? "")")
        let summary = try #require(view.rounds.first?.secure)
        #expect(summary.abortedAttempts.count == 1 && summary.abortedAttempts[0].contains("attempt 1 at maskedInput"), "\(summary.abortedAttempts)")
        #expect(summary.contributors.count == 4)
        #expect(summary.dropped.values.sorted() == ["shareKeys"], "\(summary.dropped)")
        let after = try SafetensorsReader().read([UInt8](try await gateway.send(.GET, "/api/v1/models/blobs/\(try #require(view.globalModelHash))", token: owner).body))
        for (name, tensor) in after {
            for (actual, expected) in zip(tensor.floatValues(), second.expectedMean[name]!.floatValues()) {
                #expect(abs(actual - expected) < 1e-5, "\(name): \(actual) vs \(expected)")
            }
        }
        // Nothing of the round is left but its summary.
        let left = try await withPostgres(try TestEnvironment.database(of: .coordinator)) { client in
            var count = 0
            for try await n in try await client.query("SELECT count(*) FROM secure_messages WHERE job_id = \(job.id)", logger: TestEnvironment.logger)
                .decode(Int.self) { count = n }
            return count
        }
        #expect(left == 0)
    }

    struct PlayedRound: CustomStringConvertible {
        var contributors: [Int] = []
        var expectedMean = TensorCollection()
        var abortedAt: SecAggStage?
        var tamperedRefusal: String?
        var description: String { "contributors \(contributors), aborted at \(abortedAt?.rawValue ?? "-")" }
    }

    /// Agent i trains "to" global + 0.01·(i+1)·round on every weight with 10·(i+1) examples.
    /// `drops(agent, stage)`: the agent sends nothing from that stage on.
    static func playRound(_ round: Int, of job: JobView, nodes: [TestNode], gateway: GovernanceClient, tamperShareOf tamperer: Int? = nil,
                          inspect: (([String]) -> Void)? = nil, drops: (Int, SecAggStage) -> Bool) async throws -> PlayedRound {
        var played = PlayedRound()
        var clients: [Int: SecAggClient] = [:]
        var paths: [Int: String] = [:]
        var tasks: [Int: TaskAssignment] = [:]
        var global = TensorCollection()
        var vectors: [Int: [Float]] = [:]
        var quantised: [Int: [UInt32]] = [:]
        let examples = (0..<nodes.count).map { 10 * ($0 + 1) }
        for (index, node) in nodes.enumerated() {
            let task = try gateway.decode(TaskAssignment.self, try await gateway.send(.GET, "/api/v1/agent/tasks/next?waitSeconds=30", token: node.token), expect: 200)
            guard case .object(let secure)? = task.parameters["secureAggregation"], let path = secure["path"]?.string else {
                Issue.record("the train task carries no secure aggregation parameters: \(task.parameters)")
                return played
            }
            global = try SafetensorsReader().read([UInt8](try await gateway.send(.GET, "/api/v1/models/blobs/\(task.parameters["model"]!.string!)", token: node.token).body))
            var update = TensorCollection()
            for (name, tensor) in global {
                try update.insert(try Tensor(shape: tensor.shape, values: tensor.floatValues().map { $0 + 0.01 * Float((index + 1) * round) }), named: name)
            }
            vectors[index] = try SecureUpdateEncoding.encode(update: update, global: global,
                                                             weight: SecureUpdateEncoding.weight(examples: examples[index], cap: Self.secure.effectiveMaxExamples))
            // The task can arrive a moment before the round is recorded as open (503: join again).
            var answer = try await gateway.send(.POST, "\(path)/join", token: node.token, json: SecureJoin(taskId: task.taskId))
            for _ in 0..<25 where answer.status == 503 {
                try await Task.sleep(for: .milliseconds(200))
                answer = try await gateway.send(.POST, "\(path)/join", token: node.token, json: SecureJoin(taskId: task.taskId))
            }
            let joined = try gateway.decode(SecAggJoined.self, answer, expect: 202)
            paths[index] = "\(path)/\(joined.attempt)"
            tasks[index] = task
        }
        var active = Array(0..<nodes.count)
        for stage in SecAggStage.agentStages {
            var next: [Int] = []
            for index in active {
                let node = nodes[index]
                let path = "\(paths[index]!)/\(stage.rawValue)"
                // Wait for what this stage needs; 410 means the agent was dropped or the attempt aborted.
                var answer = try await gateway.send(.GET, path, token: node.token)
                for _ in 0..<100 where answer.status == 204 {
                    try await Task.sleep(for: .milliseconds(200))
                    answer = try await gateway.send(.GET, path, token: node.token)
                }
                if answer.status == 410 {
                    if answer.text.contains("aborted") { played.abortedAt = played.abortedAt ?? stageAborted(answer.text) }
                    continue
                }
                try #require(answer.status == 200, "\(path): \(answer.status) \(answer.text)")
                if drops(index, stage) { continue }
                let body: Data
                switch stage {
                case .advertiseKeys:
                    var client = try SecAggClient(configuration: try JSONDecoder().decode(SecAggConfiguration.self, from: answer.body),
                                                  id: AgentID(node.id.uuidString.lowercased()), signingKey: node.signing)
                    body = try JSONEncoder().encode(try client.advertiseKeys())
                    clients[index] = client
                case .shareKeys:
                    var bundle = try clients[index]!.shareKeys(try JSONDecoder().decode(KeyRoster.self, from: answer.body))
                    if index == tamperer {
                        bundle.shares[0].ciphertext[bundle.shares[0].ciphertext.count - 1] ^= 0x01
                    }
                    body = try JSONEncoder().encode(bundle)
                case .maskedInput:
                    let delivery = try JSONDecoder().decode(ShareDelivery.self, from: answer.body)
                    // Reproducible stochastic rounding, so the test knows the clear quantised vector.
                    var rounding = SeededGenerator(seed: UInt64(index + 1))
                    quantised[index] = try clients[index]!.configuration.quantiser.quantise(vectors[index]!, using: &rounding)
                    rounding = SeededGenerator(seed: UInt64(index + 1))
                    let input = try clients[index]!.maskInput(delivery, update: vectors[index]!, using: &rounding)
                    body = try JSONEncoder().encode(SecAggContribution(input: input, examples: examples[index], trainLoss: 0.5))
                case .consistencyCheck:
                    if let inspect { inspect(try await storedLeaks(job: job.id, clear: quantised, vectors: vectors)) }
                    body = try JSONEncoder().encode(try clients[index]!.signConsistency(try JSONDecoder().decode(ConsistencyRequest.self, from: answer.body)))
                case .unmasking:
                    body = try JSONEncoder().encode(try clients[index]!.unmask(try JSONDecoder().decode(UnmaskingRequest.self, from: answer.body)))
                default:
                    continue
                }
                let sent = try await HTTPTestClient.send(try TestEnvironment.gateway() + path, method: .POST, headers: [
                    "Authorization": "Bearer \(node.token)", "Content-Type": "application/json"], body: body)
                if stage == .shareKeys, index == tamperer {
                    #expect(sent.status == 400, "\(sent.text)")
                    played.tamperedRefusal = sent.text
                    continue
                }
                try #require(sent.status == 202, "\(path): \(sent.status) \(sent.text)")
                if stage == .maskedInput { played.contributors.append(index) }
                next.append(index)
            }
            active = next
            if played.abortedAt != nil { break }
        }
        if played.abortedAt == nil, let index = played.contributors.first {
            // Wait for the coordinator to finish (410 "finished") or abort this attempt.
            for _ in 0..<100 {
                let answer = try await gateway.send(.GET, "\(paths[index]!)/unmasking", token: nodes[index].token)
                if answer.status == 410 {
                    if answer.text.contains("aborted") { played.abortedAt = stageAborted(answer.text) }
                    break
                }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        // The tasks end (an aborted attempt's were cancelled: their answer does not matter).
        for (index, task) in tasks {
            _ = try await gateway.send(.POST, "/api/v1/agent/tasks/\(task.taskId)/status", token: nodes[index].token,
                                       json: TaskStatusReport(attempt: task.attempt, sequence: 1, outcome: .succeeded))
        }
        // FedAvg of the contributors' updates, computed in the clear here.
        let totalWeight = played.contributors.reduce(0.0) { $0 + SecureUpdateEncoding.weight(examples: examples[$1], cap: Self.secure.effectiveMaxExamples) }
        var sum = [Float](repeating: 0, count: global.parameterCount)
        for index in played.contributors { for i in sum.indices { sum[i] += vectors[index]![i] } }
        if totalWeight > 0 { played.expectedMean = try SecureUpdateEncoding.decode(sum: sum, totalWeight: totalWeight, global: global) }
        return played
    }

    static func stageAborted(_ text: String) -> SecAggStage? {
        SecAggStage.agentStages.first { text.contains("at \($0.rawValue)") }
    }

    /// Every message body the coordinator holds for the job, searched for any agent's clear
    /// quantised vector or float update (their first 16 bytes, raw or base64).
    static func storedLeaks(job: UUID, clear: [Int: [UInt32]], vectors: [Int: [Float]]) async throws -> [String] {
        var needles: [(String, Data)] = []
        for (index, values) in clear { needles.append(("quantised update of agent \(index)", values.prefix(4).withUnsafeBytes { Data($0) })) }
        for (index, values) in vectors { needles.append(("float update of agent \(index)", values.prefix(4).withUnsafeBytes { Data($0) })) }
        let bodies = try await withPostgres(try TestEnvironment.database(of: .coordinator)) { client in
            var bodies: [(String, Data)] = []
            for try await (stage, party, body) in try await client.query(
                "SELECT stage, party, body FROM secure_messages WHERE job_id = \(job) AND body IS NOT NULL", logger: TestEnvironment.logger
            ).decode((String, String, Data).self) { bodies.append(("\(stage)/\(party)", body)) }
            return bodies
        }
        #expect(!bodies.isEmpty, "the relayed messages are stored")
        var leaks: [String] = []
        for (what, needle) in needles {
            let encoded = Data(needle.base64EncodedString().prefix(20).utf8)
            for (where_, body) in bodies where body.range(of: needle) != nil || body.range(of: encoded) != nil {
                leaks.append("\(what) in \(where_)")
            }
        }
        return leaks
    }
}}
