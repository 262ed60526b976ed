import Foundation
import Testing

@testable import FederatedCore

/// Number-for-number comparison of the robust aggregation rules with Flower 1.41
/// (Fixtures/make_defence_fixtures.py runs Flower's own `aggregate_fit` of FedMedian,
/// FedTrimmedAvg, Krum/Multi-Krum and Bulyan on a round with a ×10-scaled and a sign-flipped
/// update, and on an even-sized honest round).
///
/// Tolerances:
/// - FedMedian, Krum (the chosen model itself) and Multi-Krum (Flower's float32 `aggregate`,
///   folded in Flower's order): bit for bit.
/// - FedTrimmedAvg and Bulyan: ‖ours − Flower‖∞ ≤ 1e-6 · ‖Flower‖∞ per tensor. Flower sums the
///   kept values in float32 in `np.partition`'s internal order; we sum in Double. A wrong cut,
///   window or median moves results by whole values (≥ 1e-2 here).
/// - Krum scores: relative 1e-5 (Flower's distances are float32 `np.linalg.norm`s, squared);
///   the choice of clients must be identical.
@Suite("Flower defence fixtures")
struct DefenceFixtureTests {
    typealias EncodedModel = StrategyFixtureTests.EncodedModel

    struct ClientUpdate: Decodable {
        let examples: Int
        let model: EncodedModel
    }

    struct Case: Decodable, CustomTestStringConvertible {
        let label: String
        let kind: String
        let dataset: String
        let parameters: [String: Double]
        let model: EncodedModel
        let scores: [Double]?
        let selected: [Int]?
        var testDescription: String { label }
    }

    struct Fixture: Decodable {
        let flwr_version: String
        let names: [String]
        let initial: EncodedModel
        let datasets: [String: [ClientUpdate]]
        let defences: [Case]
    }

    static let fixture = try! Fixtures.decode(Fixture.self, from: "defence_fixtures.json")

    static func model(_ encoded: EncodedModel) -> TensorCollection {
        var model = TensorCollection()
        for name in fixture.names {
            let tensor = encoded[name]!
            try! model.insert(Tensor(shape: tensor.shape, values: tensor.values.map { Float($0) }), named: name)
        }
        return model
    }

    static func round(_ dataset: String, parallelism: Int = 1) throws -> RoundUpdates {
        var round = RoundUpdates(globalModel: model(fixture.initial))
        for (index, update) in fixture.datasets[dataset]!.enumerated() {
            try round.append(client: "client-\(index)", update: model(update.model), examples: update.examples)
        }
        return round
    }

    static func aggregator(_ testCase: Case, parallelism: Int) throws -> any RobustAggregator {
        let p = testCase.parameters
        switch testCase.kind {
        case "median": return FedMedian(parallelism: parallelism)
        case "trimmed_mean": return try FedTrimmedAvg(beta: p["beta"]!, parallelism: parallelism)
        case "krum":
            return try Krum(numMaliciousClients: Int(p["num_malicious_clients"]!), numClientsToKeep: Int(p["num_clients_to_keep"]!), parallelism: parallelism)
        case "bulyan": return try Bulyan(numMaliciousClients: Int(p["num_malicious_clients"]!), parallelism: parallelism)
        default: throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "unknown defence \(testCase.kind)"])
        }
    }

    @Test("fixtures come from Flower 1.41")
    func provenance() {
        #expect(Self.fixture.flwr_version == "1.41.0")
        #expect(Set(Self.fixture.defences.map(\.kind)) == ["median", "trimmed_mean", "krum", "bulyan"])
    }

    @Test("each defence's model matches Flower's", arguments: fixture.defences)
    func matchesFlower(testCase: Case) throws {
        var aggregator = try Self.aggregator(testCase, parallelism: 1)
        let round = try Self.round(testCase.dataset)
        let result = try aggregator.aggregate(round)
        let exact = testCase.kind == "median" || testCase.kind == "krum"
        StrategyFixtureTests.compare(result.model, testCase.model, exact: exact, testCase.label)
        #expect(result.verdicts.map(\.client) == round.clients)
        let total = result.verdicts.map(\.influence).reduce(0, +)
        #expect(abs(total - 1) < 1e-9, "influences sum to \(total)")
        if let expectedScores = testCase.scores, let selected = testCase.selected {
            let scores = result.verdicts.compactMap(\.score)
            #expect(scores.count == expectedScores.count)
            for (ours, flower) in zip(scores, expectedScores) {
                #expect(abs(ours - flower) <= 1e-5 * flower, "Krum score \(ours) vs Flower's \(flower)")
            }
            let kept = result.verdicts.indices.filter { result.verdicts[$0].decision == .kept }
            #expect(Set(kept) == Set(selected))
            #expect(result.verdicts.indices.filter { result.verdicts[$0].decision == .excluded }.count == round.count - selected.count)
        }
    }

    @Test("two threads give the same bits and verdicts as one", arguments: fixture.defences)
    func parallelMatchesSerial(testCase: Case) throws {
        var serial = try Self.aggregator(testCase, parallelism: 1)
        var parallel = try Self.aggregator(testCase, parallelism: 2)
        let round = try Self.round(testCase.dataset)
        let one = try serial.aggregate(round)
        let two = try parallel.aggregate(round)
        #expect(one.model == two.model)
        #expect(one.verdicts.map(\.decision) == two.verdicts.map(\.decision))
    }

    @Test("the ×10-scaled update (client 2) never survives Krum, Multi-Krum or Bulyan")
    func scaledUpdateExcluded() throws {
        let round = try Self.round("attacked")
        for testCase in Self.fixture.defences where testCase.dataset == "attacked" && ["krum", "bulyan"].contains(testCase.kind) {
            var aggregator = try Self.aggregator(testCase, parallelism: 1)
            let verdict = try aggregator.aggregate(round).verdicts[2]
            #expect(verdict.decision == .excluded, "\(testCase.label): \(verdict)")
            #expect(verdict.influence == 0)
        }
        // The median never takes an extreme value of 7 at a coordinate where the ×10 update is
        // an outlier, so its share falls far below an equal one.
        let median = try FedMedian().aggregate(round)
        #expect(median.verdicts[2].influence < 0.5 / 7, "\(median.verdicts[2])")
        let trimmed = try FedTrimmedAvg(beta: 0.2).aggregate(round)
        #expect(trimmed.verdicts[2].decision != .kept, "\(trimmed.verdicts[2])")
    }

    @Test("Krum's reasons say which score was decisive")
    func krumReasons() throws {
        let round = try Self.round("attacked")
        let result = try Krum(numMaliciousClients: 2, numClientsToKeep: 3).aggregate(round)
        #expect(result.verdicts[2].reason.hasPrefix("Krum score 1279"))
        #expect(result.verdicts[2].reason.contains("not among the 3 lowest"))
        #expect(result.verdicts.filter { $0.reason.contains("among the 3 lowest") && $0.decision == .kept }.count == 3)
    }

    @Test("rules refuse what Flower refuses")
    func refusals() throws {
        #expect(throws: DefenceError.self) { try FedTrimmedAvg(beta: 0.5) }
        #expect(throws: DefenceError.self) { try Krum(numMaliciousClients: -1) }
        let six = try Self.round("even")
        #expect(throws: DefenceError.tooFewUpdates(needed: 7, found: 6, rule: "Bulyan(f: 1)")) { try Bulyan(numMaliciousClients: 1).aggregate(six) }
        let empty = RoundUpdates(globalModel: Self.model(Self.fixture.initial))
        #expect(throws: DefenceError.self) { try FedMedian().aggregate(empty) }
    }

    @Test("a bad update is refused with its position and client, and the round is unchanged")
    func refusedUpdate() throws {
        var round = try Self.round("even")
        var bad = Self.model(Self.fixture.initial)
        bad.set(try Tensor(shape: [4], values: [1, .infinity, 2, 3]), named: "dense.bias")
        #expect(throws: DefenceError.rejectedUpdate(position: 6, client: "x", reason: .nonFinite(tensor: "dense.bias", index: 1, value: .infinity))) {
            try round.append(client: "x", update: bad, examples: 3)
        }
        #expect(throws: DefenceError.duplicateClient("client-0")) { try round.append(client: "client-0", update: bad, examples: 3) }
        #expect(round.count == 6)
        let again = try Self.round("even")
        #expect(try FedMedian().aggregate(round) == FedMedian().aggregate(again))
    }
}
