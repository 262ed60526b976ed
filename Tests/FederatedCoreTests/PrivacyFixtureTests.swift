import Foundation
import SeededRandom
import Testing

@testable import FederatedCore

/// Differential privacy against the references in Fixtures/defence_fixtures.json:
/// Flower 1.41's clipping helpers and server-side DP wrappers (run with zero noise, so they are
/// deterministic), its noise formulas, and `dp-accounting` 0.6.0's RDP accountant.
///
/// Tolerances: models 4e-6 norm-wise relative per tensor (our update norm is summed in Double,
/// Flower's in float32 by BLAS, so the clip factor differs by up to ~1e-7; the FedAvg inside is
/// Flower's in-place one, one float32 rounding from ours; over three rounds each round's model
/// feeds the next round's clipping, and the worst tensor drifted to 1.3e-6 — a wrong norm, factor
/// or order of the norm update moves results by 1e-3 or more); clipping norms and noise parameters 1e-12 relative (plain
/// float64 formulas, but fed by float32 norm bits); ε 1e-9 relative (same float64 formulas;
/// glibc's lgamma/erfc against SciPy's gammaln/log_ndtr).
@Suite("differential privacy against Flower and dp-accounting")
struct PrivacyFixtureTests {
    typealias EncodedModel = StrategyFixtureTests.EncodedModel

    struct ServerRound: Decodable {
        let round: Int
        let model: EncodedModel
        let clipping_norm: Double
    }

    struct ServerCase: Decodable, CustomTestStringConvertible {
        let label: String
        let kind: String
        let parameters: [String: Double]
        let rounds: [ServerRound]
        var testDescription: String { label }
    }

    struct ClientClipping: Decodable {
        let clipping_norm: Double
        let update: EncodedModel
        let update_norm: Double
        let clipped: EncodedModel
        let norm_bit: Bool
    }

    struct NoiseCase: Decodable {
        let noise_multiplier: Double
        let clipping_norm: Double
        let num_sampled_clients: Int
        let stdv: Double
    }

    struct AdaptiveNoiseCase: Decodable {
        let noise_multiplier: Double
        let num_sampled_clients: Int
        let clipped_count_stddev: Double?
        let result_clipped_count_stddev: Double
        let result_noise_multiplier: Double
    }

    struct Epsilon: Decodable {
        let rounds: Int
        let epsilon: Double
        let order: Double
    }

    struct AccountantCase: Decodable, CustomTestStringConvertible {
        let sampling_rate: Double
        let noise_multiplier: Double
        let delta: Double
        let epsilons: [Epsilon]
        let orders: [Double]
        let rdp: [Double?]
        var testDescription: String { "q=\(sampling_rate), σ=\(noise_multiplier), δ=\(delta)" }
    }

    struct Fixture: Decodable {
        let dp_initial: EncodedModel
        let dp_rounds: [[DefenceFixtureTests.ClientUpdate]]
        let server_dp: [ServerCase]
        let client_clipping: [ClientClipping]
        let noise_stdv: [NoiseCase]
        let adaptive_noise: [AdaptiveNoiseCase]
        let accountant: [AccountantCase]
    }

    static let fixture = try! Fixtures.decode(Fixture.self, from: "defence_fixtures.json")
    /// The DP data keeps its scalar as shape [1]: Flower 1.41 leaves 0-d tensors unclipped (see
    /// make_defence_fixtures.py), which we deliberately do not copy — see `scalarsAreClipped`.
    static let initial = DefenceFixtureTests.model(fixture.dp_initial)

    static func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), .leastNormalMagnitude) }

    static func compare(_ actual: TensorCollection, _ expected: EncodedModel, _ what: String) {
        for (name, reference) in expected {
            guard let tensor = actual[name] else {
                Issue.record("\(what): tensor \(name) missing")
                continue
            }
            #expect(tensor.shape == reference.shape, "\(what) \(name)")
            let error = normwiseRelativeError(tensor.floatValues().map(Double.init), reference.values)
            #expect(error <= 4e-6, "\(what) \(name): relative error \(error)")
        }
    }

    @Test("client-side clipping is Flower's compute_clip_model_update, with its norm bit")
    func clientClipping() throws {
        #expect(Self.fixture.client_clipping.contains { $0.norm_bit } && Self.fixture.client_clipping.contains { !$0.norm_bit })
        for testCase in Self.fixture.client_clipping {
            let update = DefenceFixtureTests.model(testCase.update)
            let clipped = try UpdateClipping.clip(update, reference: Self.initial, clippingNorm: testCase.clipping_norm)
            #expect(Self.relativeError(clipped.norm, testCase.update_norm) < 1e-6)
            #expect(clipped.wasClipped == testCase.norm_bit)
            Self.compare(clipped.model, testCase.clipped, "clip to \(testCase.clipping_norm)")
            let after = try UpdateClipping.norm(of: clipped.model, from: Self.initial)
            #expect(after <= testCase.clipping_norm * (1 + 1e-6))
        }
    }

    @Test("server-side fixed and adaptive clipping follow Flower for three rounds", arguments: fixture.server_dp)
    func serverSide(testCase: ServerCase) throws {
        let p = testCase.parameters
        var generator = Xoshiro256StarStar(seed: 1)
        var global = Self.initial
        var adaptive: AdaptiveClipping? = testCase.kind == "adaptive"
            ? try AdaptiveClipping(configuration: .init(
                noiseMultiplier: 0, numSampledClients: Int(p["num_sampled_clients"]!), initialClippingNorm: p["initial_clipping_norm"]!,
                targetClippedQuantile: p["target_clipped_quantile"]!, clipNormLearningRate: p["clip_norm_lr"]!,
                normBitConvention: .flower141))
            : nil
        let fixed = testCase.kind == "fixed"
            ? try ServerSideFixedClipping(noiseMultiplier: 0, clippingNorm: p["clipping_norm"]!, numSampledClients: Int(p["num_sampled_clients"]!))
            : nil
        for (updates, expected) in zip(Self.fixture.dp_rounds, testCase.rounds) {
            let results = updates.map { (update: DefenceFixtureTests.model($0.model), examples: $0.examples) }
            if var strategy = adaptive {
                global = try strategy.aggregateServerSide(globalModel: global, results: results, using: &generator)
                #expect(Self.relativeError(strategy.clippingNorm, expected.clipping_norm) < 1e-12, "round \(expected.round)")
                adaptive = strategy
            } else if let fixed {
                global = try fixed.aggregate(globalModel: global, results: results, using: &generator)
            }
            Self.compare(global, expected.model, "\(testCase.label) round \(expected.round)")
        }
    }

    @Test("0-d tensors are clipped too (Flower 1.41 leaves them out of the scaling)")
    func scalarsAreClipped() throws {
        let reference = try TensorCollection([("w", Tensor.zeros(shape: [2])), ("s", Tensor.zeros(shape: []))])
        let update = try TensorCollection([("w", Tensor(shape: [2], values: [3, 4])), ("s", Tensor(shape: [], values: [5]))])
        let clipped = try UpdateClipping.clip(update, reference: reference, clippingNorm: 1)
        #expect(abs(clipped.norm - 50.0.squareRoot()) < 1e-12)
        #expect(abs(try UpdateClipping.norm(of: clipped.model, from: reference) - 1) < 1e-6)
        #expect(clipped.model["s"]!.floatValues()[0] < 1)
    }

    @Test("noise standard deviations are Flower's compute_stdv and compute_adaptive_noise_params")
    func noiseParameters() throws {
        for testCase in Self.fixture.noise_stdv {
            let stdv = ServerSideFixedClipping.standardDeviation(noiseMultiplier: testCase.noise_multiplier, clippingNorm: testCase.clipping_norm,
                                                                 numSampledClients: testCase.num_sampled_clients)
            #expect(Self.relativeError(stdv, testCase.stdv) < 1e-15)
        }
        for testCase in Self.fixture.adaptive_noise {
            let (stddev, multiplier) = try AdaptiveClipping.noiseParameters(
                noiseMultiplier: testCase.noise_multiplier, numSampledClients: Double(testCase.num_sampled_clients), clippedCountStddev: testCase.clipped_count_stddev)
            #expect(abs(stddev - testCase.result_clipped_count_stddev) <= 1e-12 * max(1, stddev))
            #expect(abs(multiplier - testCase.result_noise_multiplier) <= 1e-12 * max(1, multiplier))
        }
        // Flower refuses a count noise too small for the target multiplier; so do we.
        #expect(throws: PrivacyError.self) { try AdaptiveClipping.noiseParameters(noiseMultiplier: 1, numSampledClients: 10, clippedCountStddev: nil) }
    }

    @Test("RDP per order matches dp-accounting", arguments: fixture.accountant)
    func rdpCurve(testCase: AccountantCase) throws {
        #expect(testCase.orders == RenyiAccountant.defaultOrders)
        let ours = RenyiAccountant.rdp(samplingRate: testCase.sampling_rate, noiseMultiplier: testCase.noise_multiplier, orders: testCase.orders)
        for (index, reference) in testCase.rdp.enumerated() {
            guard let reference else {
                #expect(ours[index] == .infinity, "order \(testCase.orders[index]): dp-accounting gave up, so must we")
                continue
            }
            #expect(Self.relativeError(ours[index], reference) < 1e-9, "order \(testCase.orders[index]): \(ours[index]) vs \(reference)")
        }
    }

    @Test("ε after each round matches dp-accounting", arguments: fixture.accountant)
    func epsilonAfterRounds(testCase: AccountantCase) throws {
        var accountant = try RenyiAccountant()
        var composed = 0
        for expected in testCase.epsilons {
            try accountant.compose(samplingRate: testCase.sampling_rate, noiseMultiplier: testCase.noise_multiplier, steps: expected.rounds - composed)
            composed = expected.rounds
            let (epsilon, order) = try accountant.epsilon(delta: testCase.delta)
            #expect(Self.relativeError(epsilon, expected.epsilon) < 1e-9, "after \(expected.rounds) rounds: ε \(epsilon) vs \(expected.epsilon)")
            #expect(order == expected.order)
        }
        #expect(accountant.rounds == testCase.epsilons.last!.rounds)
        // The state survives JSON (infinite orders included) and goes on accounting the same.
        let restored = try JSONDecoder().decode(RenyiAccountant.self, from: JSONEncoder().encode(accountant))
        #expect(try restored.epsilon(delta: testCase.delta) == accountant.epsilon(delta: testCase.delta))
    }
}
