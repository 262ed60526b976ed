import Foundation
import SeededRandom
import Testing

@testable import FederatedCore

/// Behaviour of the rules that have no Flower counterpart (FedQV, the reputation rule): attacks
/// of a known shape must lose their say, state must survive JSON, and honest rounds must not be
/// wrecked.
@Suite("FedQV and reputation behaviour")
struct DefenceBehaviourTests {
    enum Attack { case none, signFlip, scaleBy10 }

    static let global: TensorCollection = {
        var random = RandomModels(seed: 11)
        return random.update(like: try! TensorCollection([("w", Tensor.zeros(shape: [60, 80])), ("b", Tensor.zeros(shape: [80]))]))
    }()

    /// Honest clients move the model by Δ = 0.1·w + N(0, 0.3²); the attacker is client 0.
    static func round(seed: UInt64, clients: Int = 10, attack: Attack) throws -> RoundUpdates {
        var random = RandomModels(seed: seed)
        var round = RoundUpdates(globalModel: global)
        for index in 0..<clients {
            let noise = random.update(like: global, scale: 0.3)
            var update = TensorCollection()
            for (name, tensor) in global {
                let w = tensor.floatValues()
                let n = noise[name]!.floatValues()
                let factor: Float = index == 0 ? (attack == .signFlip ? -1 : attack == .scaleBy10 ? 10 : 1) : 1
                update.set(try Tensor(shape: tensor.shape, values: w.indices.map { w[$0] + factor * (0.1 * w[$0] + n[$0]) }), named: name)
            }
            try round.append(client: "c\(index)", update: update, examples: 50 + 10 * index)
        }
        return round
    }

    static func distance(_ a: TensorCollection, _ b: TensorCollection) -> Double {
        a.names.map { name in zip(a[name]!.floatValues(), b[name]!.floatValues()).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +) }.reduce(0, +).squareRoot()
    }

    @Test("FedQV masks a sign-flipped or ×10-scaled update and empties its budget", arguments: [Attack.signFlip, .scaleBy10])
    func fedQVMasksAttacker(attack: Attack) throws {
        var fedQV = try FedQV()
        let result = try fedQV.aggregate(Self.round(seed: 1, attack: attack))
        #expect(result.verdicts[0].decision == .excluded, "\(result.verdicts[0])")
        #expect(result.verdicts[0].reason.contains("masked"))
        #expect(fedQV.state.credits["c0"] == 0)
        #expect(result.verdicts.dropFirst().filter { $0.decision == .kept }.count >= 6)
        #expect(abs(result.verdicts.map(\.influence).reduce(0, +) - 1) < 1e-9)
        // The attacker stays without a vote in later rounds, even when it behaves.
        let later = try fedQV.aggregate(Self.round(seed: 2, attack: .none))
        #expect(later.verdicts[0].influence == 0)
    }

    @Test("with the authors' upper mask, one outlier silences every honest client (why it is off by default)")
    func fedQVUpperMask() throws {
        var fedQV = try FedQV(configuration: .init(maskAboveOneMinusTheta: true))
        let round = try Self.round(seed: 1, attack: .scaleBy10)
        let result = try fedQV.aggregate(round)
        #expect(result.verdicts.allSatisfy { $0.influence == 0 })
        #expect(result.model == round.globalModel)
    }

    @Test("FedQV's weights follow √(credits × examples) and its model is their weighted mean")
    func fedQVWeights() throws {
        var fedQV = try FedQV(configuration: .init(budget: 30, theta: 0.1))
        let round = try Self.round(seed: 3, attack: .none)
        let result = try fedQV.aggregate(round)
        // Recompute the model from the reported influences.
        var expected = [Double](repeating: 0, count: round.parameterCount)
        for (index, verdict) in result.verdicts.enumerated() {
            round.withRow(index) { row in for j in row.indices { expected[j] += verdict.influence * Double(row[j]) } }
        }
        let ours = round.layout.entries.flatMap { result.model[$0.name]!.floatValues() }.map(Double.init)
        #expect(normwiseRelativeError(ours, expected) < 1e-6)
        // Spent credits: the budget went down by exactly what was bid.
        for verdict in result.verdicts where verdict.influence > 0 {
            #expect(fedQV.state.credits[verdict.client]! < 30)
        }
    }

    @Test("FedQV state survives JSON and a resumed rule continues identically")
    func fedQVResumes() throws {
        var uninterrupted = try FedQV()
        var interrupted = try FedQV()
        _ = try uninterrupted.aggregate(Self.round(seed: 4, attack: .scaleBy10))
        _ = try interrupted.aggregate(Self.round(seed: 4, attack: .scaleBy10))
        let state = try JSONDecoder().decode(FedQV.State.self, from: JSONEncoder().encode(interrupted.state))
        var resumed = try FedQV(configuration: interrupted.configuration, state: state)
        let next = try Self.round(seed: 5, attack: .none)
        #expect(try resumed.aggregate(next) == uninterrupted.aggregate(next))
        #expect(resumed.state == uninterrupted.state && resumed.state.completedRounds == 2)
        #expect(throws: DefenceError.self) { try FedQV(configuration: .init(theta: 0.5)) }
    }

    @Test("the reputation rule down-weights a ×10-scaled update and its reputation falls below every honest client's")
    func reputationDownWeightsScaled() throws {
        var rule = try ReputationWeighted()
        var last: DefendedRound?
        for seed in 10..<13 {
            last = try rule.aggregate(Self.round(seed: UInt64(seed), attack: .scaleBy10))
        }
        let verdicts = try #require(last).verdicts
        #expect(verdicts[0].influence < 0.5 / 10, "\(verdicts[0])")
        let reputations = verdicts.map { rule.reputation(rule.state.evidence[$0.client]!).reputation }
        #expect(reputations.dropFirst().allSatisfy { $0 > reputations[0] }, "\(reputations)")
        // The aggregate stays near the honest mean, far from FedAvg's pull towards the attacker.
        let round = try Self.round(seed: 13, attack: .scaleBy10)
        let defended = try rule.aggregate(round).model
        let honest = try FedMedian().aggregate(round).model  // a reference point the attacker cannot drag
        var fedAvg = try FedAvg(initialModel: Self.global)
        let plain = try fedAvg.aggregate(round: 1, results: (0..<round.count).map { (round.update($0), round.examples[$0]) })
        #expect(Self.distance(defended, honest) < 0.5 * Self.distance(plain, honest))
    }

    @Test("on an honest round the reputation rule keeps everyone and stays close to the mean")
    func reputationHonest() throws {
        var rule = try ReputationWeighted()
        let round = try Self.round(seed: 20, attack: .none)
        let result = try rule.aggregate(round)
        #expect(result.verdicts.allSatisfy { $0.decision == .kept }, "\(result.verdicts)")
        #expect(abs(result.verdicts.map(\.influence).reduce(0, +) - 1) < 1e-9)
        let state = try JSONDecoder().decode(ReputationWeighted.State.self, from: JSONEncoder().encode(rule.state))
        #expect(state == rule.state)
    }
}
