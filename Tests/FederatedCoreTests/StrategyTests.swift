import Foundation
import Testing

@testable import FederatedCore

@Suite("strategy behaviour")
struct StrategyTests {
    static func model(seed: UInt64) -> TensorCollection {
        var random = RandomModels(seed: seed)
        return random.update(like: try! TensorCollection([("w", Tensor.zeros(shape: [3, 2])), ("b", Tensor.zeros(shape: [3]))]))
    }

    @Test("streaming a round through an accumulator equals aggregating it at once")
    func streamingEqualsBatch() throws {
        var random = RandomModels(seed: 3)
        let initial = Self.model(seed: 1)
        let results = (0..<5).map { (random.update(like: initial), 1 + $0 * 13) }
        var batch = try FedOpt(configuration: .adam(), initialModel: initial)
        var streaming = batch
        let batchModel = try batch.aggregate(round: 1, results: results.map { (update: $0.0, examples: $0.1) })
        var accumulator = streaming.makeAccumulator(options: .init(parallelism: 2))
        for (update, examples) in results { try accumulator.fold(update, examples: examples) }
        #expect(try streaming.finishRound(1, accumulator: accumulator) == batchModel)
        #expect(streaming.state == batch.state)
        #expect(streaming.nextRound == 2)
    }

    @Test("a FedOpt step on two threads gives the same bits as on one", arguments: FedOpt.Variant.allCases)
    func parallelServerStep(variant: FedOpt.Variant) throws {
        var random = RandomModels(seed: 17)
        let template = try TensorCollection([("big", Tensor.zeros(shape: [300_000])), ("small", Tensor.zeros(shape: [5]))])
        let configuration = FedOpt.Configuration(variant: variant, eta: 0.05, etaL: 0.1, beta1: variant == .adagrad ? 0 : 0.9, beta2: 0.99, tau: 1e-6)
        var serial = try FedOpt(configuration: configuration, initialModel: random.update(like: template))
        var parallel = serial
        parallel.parallelism = 2
        for round in 1...2 {
            let mean = random.update(like: template)
            #expect(try serial.applyRound(round, weightedMean: mean) == parallel.applyRound(round, weightedMean: mean))
        }
        #expect(serial.state == parallel.state)
    }

    @Test("rounds apply once each, in order")
    func roundOrder() throws {
        var strategy = try FedAvg(initialModel: Self.model(seed: 1))
        let results = [(update: Self.model(seed: 2), examples: 3)]
        #expect(throws: StrategyError.roundOutOfOrder(expected: 1, found: 2)) { try strategy.aggregate(round: 2, results: results) }
        _ = try strategy.aggregate(round: 1, results: results)
        #expect(throws: StrategyError.roundOutOfOrder(expected: 2, found: 1)) { try strategy.aggregate(round: 1, results: results) }
        #expect(strategy.state.completedRounds == 1)
    }

    @Test("a bad update is reported with its position and the round is not applied")
    func rejectedUpdate() throws {
        let initial = Self.model(seed: 1)
        var strategy = try FedAvgM(configuration: .init(serverLearningRate: 0.5, serverMomentum: 0.9), initialModel: initial)
        var bad = Self.model(seed: 3)
        bad.set(try Tensor.zeros(shape: [2]), named: "b")
        #expect(throws: StrategyError.aggregation(.rejectedUpdate(position: 1, reason: .shapeMismatch(tensor: "b", expected: [3], found: [2])))) {
            try strategy.aggregate(round: 1, results: [(Self.model(seed: 2), 4), (bad, 5)])
        }
        #expect(throws: StrategyError.aggregation(.noUpdates)) { try strategy.aggregate(round: 1, results: []) }
        #expect(strategy.globalModel == initial)
        #expect(strategy.state.momentum == nil && strategy.state.completedRounds == 0)
    }

    @Test("initial models are converted to F32, the working type")
    func workingType() throws {
        let initial = Self.model(seed: 1).converted(to: .bfloat16)
        let strategy = try FedAvg(initialModel: initial)
        #expect(strategy.globalModel == initial.converted(to: .float32))
        #expect(throws: StrategyError.invalidState("global tensor 'w' is BF16; strategies keep F32 models")) {
            try FedAvg(configuration: .init(), state: .init(globalModel: initial))
        }
        #expect(throws: StrategyError.invalidConfiguration("the initial model has no tensors")) { try FedAvg(initialModel: TensorCollection()) }
    }

    @Test("configurations outside their domain are refused")
    func invalidConfigurations() {
        let initial = Self.model(seed: 1)
        #expect(throws: StrategyError.self) { try FedOpt(configuration: .adam(beta1: 1), initialModel: initial) }
        #expect(throws: StrategyError.self) { try FedOpt(configuration: .yogi(tau: -1), initialModel: initial) }
        #expect(throws: StrategyError.self) { try FedOpt(configuration: .adam(eta: .nan), initialModel: initial) }
        #expect(throws: StrategyError.self) {
            try FedOpt(configuration: .init(variant: .adagrad, eta: 0.1, etaL: 0.1, beta1: 0.5, beta2: 0, tau: 1e-9), initialModel: initial)
        }
        #expect(throws: StrategyError.self) { try FedProx(configuration: .init(proximalMu: -0.1), initialModel: initial) }
        #expect(throws: StrategyError.self) { try FedAvgM(configuration: .init(serverMomentum: -0.5), initialModel: initial) }
    }

    @Test("a resumed state whose moments do not fit the model is refused")
    func inconsistentState() throws {
        let initial = Self.model(seed: 1)
        var moments = initial
        moments.set(try Tensor.zeros(shape: [4]), named: "b")
        #expect(throws: StrategyError.self) {
            try FedOpt(configuration: .adam(), state: .init(globalModel: initial, completedRounds: 1, firstMoment: moments, secondMoment: initial))
        }
        #expect(throws: StrategyError.self) {
            try FedAvgM(configuration: .init(serverMomentum: 0.9), state: .init(globalModel: initial, completedRounds: 1, momentum: moments))
        }
    }

    @Test("FedProx asks clients for its proximal term; the others send nothing")
    func clientConfiguration() throws {
        let initial = Self.model(seed: 1)
        let mu = 0.25
        #expect(try FedProx(configuration: .init(proximalMu: mu), initialModel: initial).clientConfiguration(round: 3) == ["proximal_mu": mu])
        #expect(try FedAvg(initialModel: initial).clientConfiguration(round: 1).isEmpty)
        #expect(try FedOpt(configuration: .yogi(), initialModel: initial).clientConfiguration(round: 1).isEmpty)
    }

    @Test("strategy state and configuration survive JSON")
    func stateCodable() throws {
        var strategy = try FedOpt(configuration: .yogi(), initialModel: Self.model(seed: 1))
        _ = try strategy.aggregate(round: 1, results: [(Self.model(seed: 2), 3), (Self.model(seed: 3), 9)])
        let state = try JSONDecoder().decode(FedOpt.State.self, from: JSONEncoder().encode(strategy.state))
        let configuration = try JSONDecoder().decode(FedOpt.Configuration.self, from: JSONEncoder().encode(strategy.configuration))
        #expect(state == strategy.state)
        #expect(configuration == strategy.configuration)
    }
}
