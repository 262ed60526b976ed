import Foundation
import Testing

@testable import FederatedCore

/// Number-for-number comparison with Flower 1.41 (Fixtures/make_strategy_fixtures.py runs the
/// real `aggregate_fit` of each Flower strategy for three rounds).
///
/// Tolerance: ‖ours − Flower‖∞ ≤ 1e-6 · ‖Flower‖∞ per tensor, after each round, for the model
/// and the optimiser state. Why not exact: Flower's default FedAvg scales each update by
/// `n/total` in float64 before a float32 sum, whereas a streaming sum cannot know `total` up front
/// and scales by `n` (as Flower's own non-in-place `aggregate` does) — one float32 rounding apart
/// (~6e-8); FedOpt then runs ~10 more roundings per round, in Double here but in float32 (Yogi,
/// Adagrad) or float64 (Adam) in Flower, compounding over three rounds. 1e-6 is ~8 float32 ulps
/// of the tensor's scale: loose enough for that, tight enough to catch any formula difference
/// (a wrong constant or bias correction shifts results by 1e-3 or more). Norm-wise because
/// element-wise relative error is meaningless where values cancel to near zero.
///
/// Where Flower uses `aggregate` (FedAvg with inplace=False, FedAvgM) our arithmetic is the
/// same operation sequence, so those are compared bit for bit.
@Suite("Flower strategy fixtures")
struct StrategyFixtureTests {
    static let relativeTolerance = 1e-6

    struct EncodedTensor: Decodable {
        let dtype: String
        let shape: [Int]
        let bits: [String]

        var values: [Double] {
            switch dtype {
            case "float32": bits.map { Double(Float(bitPattern: hexBits($0, as: UInt32.self))) }
            case "float64": bits.map { Double(bitPattern: hexBits($0, as: UInt64.self)) }
            default: fatalError("fixture dtype \(dtype)")
            }
        }
    }

    typealias EncodedModel = [String: EncodedTensor]

    struct ClientUpdate: Decodable {
        let examples: Int
        let model: EncodedModel
    }

    struct ExpectedRound: Decodable {
        let round: Int
        let model: EncodedModel
        let momentum: EncodedModel?
        let first_moment: EncodedModel?
        let second_moment: EncodedModel?
    }

    struct Case: Decodable, CustomTestStringConvertible {
        let label: String
        let strategy: String
        let parameters: [String: Double]
        let rounds: [ExpectedRound]
        var testDescription: String { label }
    }

    struct Fixture: Decodable {
        let flwr_version: String
        let names: [String]
        let initial: EncodedModel
        let rounds: [[ClientUpdate]]
        let cases: [Case]
    }

    static let fixture = try! Fixtures.decode(Fixture.self, from: "strategy_fixtures.json")

    static func model(_ encoded: EncodedModel) -> TensorCollection {
        var model = TensorCollection()
        for name in fixture.names {
            let tensor = encoded[name]!
            precondition(tensor.dtype == "float32", "client models are float32")
            try! model.insert(Tensor(shape: tensor.shape, values: tensor.values.map { Float($0) }), named: name)
        }
        return model
    }

    /// A type-erased driver, so one test body runs every strategy.
    struct Runner {
        var aggregate: (Int, [(update: TensorCollection, examples: Int)]) throws -> TensorCollection
        var companions: () -> [String: TensorCollection?]
        var persist: () throws -> Data
        var clientConfiguration: (Int) -> [String: Double]
    }

    static func runner<S: FederatedStrategy>(_ strategy: S) -> Runner {
        let box = Box(strategy)
        return Runner(
            aggregate: { try box.value.aggregate(round: $0, results: $1) },
            companions: {
                switch box.value {
                case let fedAvgM as FedAvgM: ["momentum": fedAvgM.state.momentum]
                case let fedOpt as FedOpt: ["first_moment": fedOpt.state.firstMoment, "second_moment": fedOpt.state.secondMoment]
                default: [:]
                }
            },
            persist: { try JSONEncoder().encode(Persisted(configuration: box.value.configuration, state: box.value.state)) },
            clientConfiguration: { box.value.clientConfiguration(round: $0) })
    }

    /// Lets the closures share one mutable strategy (test-local, used from one task only).
    final class Box<S> {
        var value: S
        init(_ value: S) { self.value = value }
    }

    struct Persisted<C: Codable, St: Codable>: Codable {
        let configuration: C
        let state: St
    }

    /// Builds our strategy for a fixture case, optionally resumed from persisted JSON.
    static func makeRunner(_ testCase: Case, initial: TensorCollection, resumeFrom data: Data? = nil) throws -> Runner {
        func resume<S: FederatedStrategy>(_ type: S.Type, _ fresh: () throws -> S) throws -> Runner {
            guard let data else { return runner(try fresh()) }
            let persisted = try JSONDecoder().decode(Persisted<S.Configuration, S.State>.self, from: data)
            return runner(try S(configuration: persisted.configuration, state: persisted.state))
        }
        let p = testCase.parameters
        switch testCase.strategy {
        case "fedavg", "fedavg_inplace":
            return try resume(FedAvg.self) { try FedAvg(initialModel: initial) }
        case "fedprox":
            return try resume(FedProx.self) { try FedProx(configuration: .init(proximalMu: p["proximal_mu"]!), initialModel: initial) }
        case "fedavgm":
            return try resume(FedAvgM.self) {
                try FedAvgM(configuration: .init(serverLearningRate: p["server_learning_rate"]!, serverMomentum: p["server_momentum"]!), initialModel: initial)
            }
        case "fedadam", "fedyogi", "fedadagrad":
            let variant: FedOpt.Variant = testCase.strategy == "fedadam" ? .adam : testCase.strategy == "fedyogi" ? .yogi : .adagrad
            let configuration = FedOpt.Configuration(variant: variant, eta: p["eta"]!, etaL: p["eta_l"]!, beta1: p["beta_1"]!, beta2: p["beta_2"]!, tau: p["tau"]!)
            return try resume(FedOpt.self) { try FedOpt(configuration: configuration, initialModel: initial) }
        default:
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "unknown fixture strategy \(testCase.strategy)"])
        }
    }

    /// Compares a model with Flower's, exactly or within the tolerance; returns the worst error.
    @discardableResult
    static func compare(_ actual: TensorCollection, _ expected: EncodedModel, exact: Bool, _ what: String) -> Double {
        var worst = 0.0
        for name in fixture.names {
            guard let tensor = actual[name], let reference = expected[name] else {
                Issue.record("\(what): tensor \(name) missing")
                continue
            }
            #expect(tensor.dtype == .float32, "\(what) \(name): Cumulus keeps F32")
            #expect(tensor.shape == reference.shape, "\(what) \(name)")
            let ours = tensor.floatValues().map(Double.init)
            if exact {
                #expect(ours.map(\.bitPattern) == reference.values.map(\.bitPattern), "\(what) \(name) bit for bit")
            } else {
                let error = normwiseRelativeError(ours, reference.values)
                worst = max(worst, error)
                #expect(error <= relativeTolerance, "\(what) \(name): relative error \(error)")
            }
        }
        return worst
    }

    static var clientRounds: [[(update: TensorCollection, examples: Int)]] {
        fixture.rounds.map { $0.map { (model($0.model), $0.examples) } }
    }

    @Test("fixtures come from Flower 1.41")
    func fixtureProvenance() {
        #expect(Self.fixture.flwr_version == "1.41.0")
        #expect(Self.fixture.cases.count >= 6)
    }

    @Test("three rounds match Flower: models and optimiser state", arguments: fixture.cases)
    func matchesFlower(testCase: Case) throws {
        let exact = ["fedavg", "fedavgm"].contains(testCase.strategy)
        let initial = Self.model(Self.fixture.initial)
        let runner = try Self.makeRunner(testCase, initial: initial)
        for (round, expected) in zip(Self.clientRounds, testCase.rounds) {
            let model = try runner.aggregate(expected.round, round)
            Self.compare(model, expected.model, exact: exact, "\(testCase.label) round \(expected.round)")
            let companions = runner.companions()
            for (key, reference) in [("momentum", expected.momentum), ("first_moment", expected.first_moment), ("second_moment", expected.second_moment)] {
                guard let reference else { continue }
                guard let ours = companions[key] ?? nil else {
                    Issue.record("\(testCase.label): Flower has \(key) after round \(expected.round), we do not")
                    continue
                }
                Self.compare(ours, reference, exact: exact, "\(testCase.label) \(key) round \(expected.round)")
            }
        }
        if testCase.strategy == "fedprox" {
            #expect(runner.clientConfiguration(1) == [FedProx.proximalMuKey: testCase.parameters["proximal_mu"]!])
        }
    }

    @Test("a job persisted after round 1 and resumed gives the same bits as one that never stopped", arguments: fixture.cases)
    func resumesFromPersistedState(testCase: Case) throws {
        let initial = Self.model(Self.fixture.initial)
        let rounds = Self.clientRounds
        let uninterrupted = try Self.makeRunner(testCase, initial: initial)
        let interrupted = try Self.makeRunner(testCase, initial: initial)
        _ = try uninterrupted.aggregate(1, rounds[0])
        _ = try interrupted.aggregate(1, rounds[0])
        let resumed = try Self.makeRunner(testCase, initial: initial, resumeFrom: interrupted.persist())
        for round in 2...rounds.count {
            let expected = try uninterrupted.aggregate(round, rounds[round - 1])
            #expect(try resumed.aggregate(round, rounds[round - 1]) == expected, "round \(round)")
        }
        // Re-applying a round (e.g. after a crash between aggregation and persistence) is refused.
        let again = try Self.makeRunner(testCase, initial: initial, resumeFrom: uninterrupted.persist())
        #expect(throws: StrategyError.roundOutOfOrder(expected: rounds.count + 1, found: rounds.count)) {
            try again.aggregate(rounds.count, rounds[rounds.count - 1])
        }
    }

    @Test("our FedOpt defaults are Flower's", arguments: [("FedAdam()", FedOpt.Configuration.adam()), ("FedYogi()", .yogi()), ("FedAdagrad()", .adagrad())])
    func defaultsMatchFlower(label: String, configuration: FedOpt.Configuration) throws {
        let testCase = try #require(Self.fixture.cases.first { $0.label == label })
        let p = testCase.parameters
        #expect(configuration.eta == p["eta"] && configuration.etaL == p["eta_l"] && configuration.beta1 == p["beta_1"]
                && configuration.beta2 == p["beta_2"] && configuration.tau == p["tau"])
    }
}
