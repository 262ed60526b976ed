import CumulusAPI
import FederatedCore
import Foundation
import Testing

/// The heart of the product: five real agents with non-IID digits shards train one model; the
/// federated model ends within 3 points of the same architecture trained centrally.
extension TrainingTests { @Suite(.serialized) struct FederatedTrainingTests {
    @Test(arguments: [
        StrategySpec(name: "fedavg"),
        StrategySpec(name: "fedadam", hyperparameters: ["eta": 0.05, "beta1": 0.9, "beta2": 0.99, "tau": 0.001]),
        StrategySpec(name: "fedprox", hyperparameters: ["proximalMu": 0.01]),
    ])
    func aFederationOfFiveTrainsDigitsAsWellAsCentralTraining(_ strategy: StrategySpec) async throws {
        let federation = try await DigitsFederation.start("fl-\(strategy.name)")
        defer { federation.stop() }
        let spec = federation.job("digits-\(strategy.name)", strategy: strategy)
        let created = try await federation.create(spec)
        print("\(strategy.name): job \(created.id), \(spec.rounds) rounds, \(federation.participants) participants (non-IID digits)")
        let job = try await federation.waitForJob(created.id)
        try #require(job.state == .succeeded, "the job ended \(job.state.rawValue): \(job.error ?? "")")
        #expect(job.completedRounds == spec.rounds)
        #expect(job.rounds.allSatisfy { $0.accepted.count == federation.participants })
        let last = try #require(job.rounds.last)
        #expect(last.evaluationAccuracy != nil, "the last round is evaluated on the participants' held-out rows")

        let federated = try await federation.accuracy(of: try #require(job.globalModelHash))
        let central = try federation.centralAccuracy(epochs: spec.rounds * spec.local.epochs / 2, local: spec.local)
        print(String(format: "%@: federated accuracy %.2f %% on the held-out test set; central %.2f %%; difference %.2f points",
                     strategy.name, federated * 100, central * 100, (central - federated) * 100))
        #expect(federated >= central - 0.03, "federated \(federated) is more than 3 points below central \(central)")

        // The registry holds every round's model; the best by accuracy is one of the evaluated ones.
        let best = try federation.fixture.gateway.decode(BestModel.self, try await federation.fixture.gateway.send(
            .GET, "/api/v1/models/best?jobId=\(job.id)&metric=accuracy", token: federation.ownerToken), expect: 200)
        #expect(best.version.jobId == job.id && best.version.metrics["accuracy"] != nil)
        let versions = try federation.fixture.gateway.decode(ModelVersionList.self, try await federation.fixture.gateway.send(
            .GET, "/api/v1/models/versions?federationId=\(federation.fixture.federation.id)&jobId=\(job.id)", token: federation.ownerToken), expect: 200)
        #expect(versions.versions.map(\.round) == Array(0...spec.rounds))
    }

    /// Secure aggregation with real agents: each masks its update (SecAgg+), the coordinator
    /// sees only the sum, and the federation still trains as well as central training.
    @Test func aFederationTrainsDigitsWithSecureAggregation() async throws {
        let federation = try await DigitsFederation.start("secagg")
        defer { federation.stop() }
        var spec = federation.job("digits-secagg", strategy: StrategySpec(name: "fedavg"))
        spec.minFitClients = 3
        spec.secureAggregation = SecureAggregationSpec(threshold: 0.6, stageTimeoutSeconds: 20)
        let job = try await federation.waitForJob(try await federation.create(spec).id)
        try #require(job.state == .succeeded, "the job ended \(job.state.rawValue): \(job.error ?? "")")
        #expect(job.rounds.allSatisfy { $0.secure?.contributors.count == federation.participants }, "\(job.rounds.map { $0.secure?.dropped ?? [:] })")
        #expect(job.rounds.allSatisfy { $0.accepted.count == federation.participants && $0.examples > 0 })
        let federated = try await federation.accuracy(of: try #require(job.globalModelHash))
        let central = try federation.centralAccuracy(epochs: spec.rounds * spec.local.epochs / 2, local: spec.local)
        print(String(format: "secure aggregation: federated accuracy %.2f %%; central %.2f %%", federated * 100, central * 100))
        #expect(federated >= central - 0.03, "federated \(federated) is more than 3 points below central \(central)")
    }

    /// The external-trainer contract, with the README's numpy example doing the training.
    @Test func anExternalTrainerCommandTrainsInsteadOfTheBuiltInOne() async throws {
        let federation = try await DigitsFederation.start("external", participants: 2)
        defer { federation.stop() }
        let script = DigitsFederation.repository.appending(path: "examples/external-trainer/train.py").path
        var spec = federation.job("external", strategy: StrategySpec(name: "fedavg"), rounds: 5, evaluateEvery: 5)
        spec.model = ModelSpec(architecture: "logistic", inputs: 64, classes: 10)
        spec.externalTrainer = "python3 \(script)"
        let job = try await federation.waitForJob(try await federation.create(spec).id)
        try #require(job.state == .succeeded, "\(job.error ?? "")")
        let accuracy = try #require(job.rounds.last?.evaluationAccuracy)
        print(String(format: "external trainer: federated accuracy %.3f after 5 rounds", accuracy))
        #expect(accuracy > 0.5, "the numpy trainer learned something")
        #expect(job.rounds.allSatisfy { $0.trainLoss != nil }, "its reported loss reaches the round")
    }

    /// Client-side clipping with real agents: each clips its own update before it leaves the
    /// machine, so none arrives above the norm (a 2-epoch update is far longer than 0.05), and
    /// the coordinator reports the ε spent after every round.
    @Test func agentsClipTheirOwnUpdatesUnderClientSidePrivacy() async throws {
        let federation = try await DigitsFederation.start("clientdp", participants: 2)
        defer { federation.stop() }
        var spec = federation.job("clientdp", strategy: StrategySpec(name: "fedavg"), rounds: 3, evaluateEvery: 0)
        spec.model = ModelSpec(architecture: "logistic", inputs: 64, classes: 10)
        spec.privacy = PrivacySpec(clipping: "client-fixed", noiseMultiplier: 0.8, clippingNorm: 0.05)
        let job = try await federation.waitForJob(try await federation.create(spec).id)
        try #require(job.state == .succeeded, "\(job.error ?? "")")
        #expect(job.rounds.count == 3)
        #expect(job.rounds.allSatisfy { $0.clippedUpdates == 0 }, "\(job.rounds.map { $0.clippedUpdates ?? -1 })")
        let epsilons = job.rounds.compactMap(\.epsilon)
        #expect(epsilons.count == 3 && zip(epsilons, epsilons.dropFirst()).allSatisfy { $0 < $1 }, "\(epsilons)")
    }
}}
