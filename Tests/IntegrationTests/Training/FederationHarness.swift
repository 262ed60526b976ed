import CumulusAPI
import FederatedCore
import Foundation
import Testing

/// The training suites share the machine's agents and one of them restarts the coordinator:
/// they run one after another.
@Suite(.serialized) enum TrainingTests {}

/// Real federations on this machine: the digits shards exported by examples/digits/prepare.py,
/// one organisation and one real `cumulus-agent` per shard, jobs created through the gateway.
struct DigitsFederation {
    let fixture: FederationFixture
    let folder: String
    let agents: [AgentProcess]
    let participants: Int

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Exports the data, makes the federation, enrols and starts one agent per participant.
    static func start(_ label: String, participants: Int = 5) async throws -> DigitsFederation {
        let folder = FileManager.default.temporaryDirectory.appending(path: "cumulus-\(label)-\(UUID().uuidString.prefix(8))").path
        let export = try await ProcessRunner.run("/usr/bin/env", [
            "python3", repository.appending(path: "examples/digits/prepare.py").path, "--out", folder + "/data", "--participants", String(participants),
        ])
        try #require(export.status == 0, "the digits export failed (is scikit-learn installed? deploy/test.sh installs it): \(export.standardError)")
        let fixture = try await FederationFixture.make(label, participants: participants)
        var agents: [AgentProcess] = []
        for index in 0..<participants {
            let agent = AgentProcess(name: "\(label)-\(index)", folder: folder)
            try await agent.enrol(token: try await fixture.enrolmentToken(for: index), region: ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-south-1"][index % 5])
            try agent.start(data: folder + "/data/participant-\(index)")
            agents.append(agent)
        }
        let federation = DigitsFederation(fixture: fixture, folder: folder, agents: agents, participants: participants)
        try await federation.waitUntil("\(participants) agents report the digits dataset", limit: .seconds(90)) {
            let nodes = try fixture.gateway.decode(NodeList.self, try await fixture.gateway.send(
                .GET, "/api/v1/nodes?federationId=\(fixture.federation.id)", token: fixture.participants[0].adminToken), expect: 200).nodes
            return nodes.filter { $0.status == .active && $0.datasets.contains { $0.name == "digits" } }.count == participants
        }
        return federation
    }

    func stop() {
        for agent in agents { agent.stop(signal: SIGKILL) }
        try? FileManager.default.removeItem(atPath: folder)
    }

    var ownerToken: String { fixture.participants[0].adminToken }

    func job(_ name: String, strategy: StrategySpec, rounds: Int = 20, local: LocalTrainingSpec = LocalTrainingSpec(epochs: 2, batchSize: 16, learningRate: 0.05, momentum: 0.9),
             evaluateEvery: Int = 5) -> NewJob {
        NewJob(federationId: fixture.federation.id, name: name, model: ModelSpec(architecture: "mlp", inputs: 64, hiddenLayers: [32], classes: 10),
               dataset: "digits", strategy: strategy, rounds: rounds, fractionFit: 1, minFitClients: participants, minAvailableClients: participants,
               roundDeadlineSeconds: 120, local: local, evaluateEvery: evaluateEvery, seed: 11)
    }

    func create(_ job: NewJob) async throws -> JobView {
        try fixture.gateway.decode(JobView.self, try await fixture.gateway.send(.POST, "/api/v1/jobs", token: ownerToken, json: job), expect: 201)
    }

    /// The job; a moment of 502/503 (a coordinator restarting) is waited out.
    func job(_ id: UUID) async throws -> JobView {
        for _ in 0..<50 {
            let answer = try await fixture.gateway.send(.GET, "/api/v1/jobs/\(id)", token: ownerToken)
            if [502, 503].contains(answer.status) { try await Task.sleep(for: .milliseconds(200)); continue }
            return try fixture.gateway.decode(JobView.self, answer, expect: 200)
        }
        throw CancellationError()
    }

    /// Waits for the job to finish, printing each round as it closes.
    func waitForJob(_ id: UUID, limit: Duration = .seconds(600)) async throws -> JobView {
        var printed = 0
        var job = try await self.job(id)
        try await waitUntil("job \(id) finishes", limit: limit) {
            job = try await self.job(id)
            for round in job.rounds where round.round > printed && round.state == "closed" {
                print("  round \(round.round): \(round.accepted.count) updates, \(round.examples) examples" +
                      (round.evaluationAccuracy.map { String(format: ", federated accuracy %.3f", $0) } ?? ""))
                printed = round.round
            }
            return job.state.isTerminal
        }
        return job
    }

    func model(_ hash: String) async throws -> TensorCollection {
        let answer = try await fixture.gateway.send(.GET, "/api/v1/models/blobs/\(hash)", token: fixture.platformToken)
        try #require(answer.status == 200, "downloading \(hash): \(answer.status) \(answer.text)")
        return try SafetensorsReader(requireFinite: true).read([UInt8](answer.body))
    }

    var architecture: ModelArchitecture { get throws { try .multilayerPerceptron(inputCount: 64, hiddenLayers: [32], classCount: 10) } }

    func testSet() throws -> TabularDataset {
        try CSVDataset.load(try String(contentsOfFile: folder + "/data/test.csv", encoding: .utf8), heldOutFraction: 0).train
    }

    /// The same architecture trained centrally on the union of what the participants train on
    /// (each shard's training part, split exactly as the agents split it).
    func centralAccuracy(epochs: Int, local: LocalTrainingSpec) throws -> Double {
        var rows: [[Float]] = []
        var labels: [Int] = []
        for index in 0..<participants {
            let split = try CSVDataset.load(try String(contentsOfFile: folder + "/data/participant-\(index)/digits.csv", encoding: .utf8), heldOutFraction: 0.2, seed: 0)
            for row in 0..<split.train.exampleCount {
                rows.append(Array(split.train.features[(row * 64)..<((row + 1) * 64)]))
                labels.append(split.train.labels[row])
            }
        }
        let union = try TabularDataset(rows: rows, labels: labels)
        let trainer = LocalTrainer(architecture: try architecture)
        let trained = try trainer.train(model: try architecture.initialModel(seed: 11), data: union, configuration: TrainingConfiguration(
            epochs: epochs, batchSize: local.batchSize, learningRate: local.learningRate, momentum: local.momentum, weightDecay: local.weightDecay, seed: 3))
        return try trainer.evaluate(model: trained.model, data: try testSet()).accuracy
    }

    func accuracy(of hash: String) async throws -> Double {
        try LocalTrainer(architecture: try architecture).evaluate(model: try await model(hash), data: try testSet()).accuracy
    }

    func waitUntil(_ what: String, limit: Duration, _ condition: () async throws -> Bool) async throws {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(300))
        }
        Issue.record("timed out waiting until \(what)")
        throw CancellationError()
    }
}
