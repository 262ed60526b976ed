import Foundation
import Testing

@testable import FederatedCore

/// Differential privacy as jobs choose it: what is refused, the clipped and noised mean a round
/// closes with, the accountant's ε round after round, and adaptive clipping's norm carried over.
@Suite struct PrivacyChoiceTests {
    static let global = DefenceBehaviourTests.global

    static func updates(_ round: RoundUpdates) -> [RoundClose.Update] {
        (0..<round.count).map { index in RoundClose.Update(client: round.clients[index], examples: round.examples[index]) { round.update(index) } }
    }

    @Test func impossibleSettingsAreRefusedNamingTheField() {
        func field(_ choice: PrivacyChoice) -> String? { choice.problem?.field }
        #expect(field(PrivacyChoice(clipping: "local", noiseMultiplier: 1, clippingNorm: 1)) == "clipping")
        #expect(field(PrivacyChoice(clipping: "server-fixed", noiseMultiplier: 0, clippingNorm: 1)) == "noiseMultiplier")
        #expect(field(PrivacyChoice(clipping: "server-fixed", noiseMultiplier: 1, clippingNorm: -1)) == "clippingNorm")
        #expect(field(PrivacyChoice(clipping: "server-fixed", noiseMultiplier: 1, clippingNorm: 1, delta: 0.5)) == "delta")
        #expect(field(PrivacyChoice(clipping: "server-fixed", noiseMultiplier: 1, clippingNorm: 1, targetEpsilon: -2)) == "targetEpsilon")
        #expect(field(PrivacyChoice(clipping: "server-fixed", noiseMultiplier: 1, clippingNorm: 1, targetClippedQuantile: 0.5)) == "targetClippedQuantile")
        #expect(field(PrivacyChoice(clipping: "server-adaptive", noiseMultiplier: 1, clippingNorm: 1, targetClippedQuantile: 2)) == "targetClippedQuantile")
        #expect(PrivacyChoice(clipping: "client-fixed", noiseMultiplier: 1.1, clippingNorm: 0.5, targetEpsilon: 8).problem == nil)
        // Adaptive clipping spends part of the noise on the clipped count: with few participants
        // per round no model noise is left, and the state cannot be made.
        #expect(throws: (any Error).self) { _ = try PrivacyChoice(clipping: "server-adaptive", noiseMultiplier: 1, clippingNorm: 1).initialState(sampledClients: 3) }
        #expect(throws: Never.self) { _ = try PrivacyChoice(clipping: "server-adaptive", noiseMultiplier: 1, clippingNorm: 1).initialState(sampledClients: 100) }
    }

    /// The round's model is the clipped example-weighted mean plus N(0, (z·C/m)²) per weight:
    /// without noise it is exactly the clipped mean, and with it the residual's spread is z·C/m.
    @Test func aRoundIsTheClippedMeanPlusCalibratedNoise() throws {
        let round = try DefenceBehaviourTests.round(seed: 21, clients: 6, attack: .scaleBy10)
        let norm = 5.0
        let norms = try (0..<round.count).map { try UpdateClipping.norm(of: round.update($0), from: Self.global) }
        var expected = WeightedMeanAccumulator(template: Self.global)
        for index in 0..<round.count {
            try expected.fold(try UpdateClipping.clip(round.update(index), reference: Self.global, clippingNorm: norm).model, examples: round.examples[index])
        }
        let clippedMean = try expected.mean()

        var generator = SeededGenerator(seed: 5)
        let quiet = PrivacyChoice(clipping: "server-fixed", noiseMultiplier: 1e-9, clippingNorm: norm)
        var strategy = try AnyStrategy(StrategyChoice(name: "fedavg"), initialModel: Self.global)
        let plain = try RoundClose.run(&strategy, round: 1, updates: Self.updates(round), privacy: quiet, state: nil, sampledClients: 6, availableClients: 6,
                                       using: &generator)
        #expect(plain.clippedUpdates == norms.filter { $0 > norm }.count && plain.clippedUpdates! > 0)
        for name in clippedMean.names {
            let gap = zip(plain.model[name]!.floatValues(), clippedMean[name]!.floatValues()).map { abs($0 - $1) }.max() ?? 0
            #expect(gap < 1e-5, "\(name): \(gap)")
        }

        let z = 2.0
        var noisy = try AnyStrategy(StrategyChoice(name: "fedavg"), initialModel: Self.global)
        let outcome = try RoundClose.run(&noisy, round: 1, updates: Self.updates(round), privacy: PrivacyChoice(clipping: "server-fixed", noiseMultiplier: z, clippingNorm: norm),
                                         state: nil, sampledClients: 6, availableClients: 6, using: &generator)
        var residuals: [Double] = []
        for name in clippedMean.names {
            residuals += zip(outcome.model[name]!.floatValues(), clippedMean[name]!.floatValues()).map { Double($0 - $1) }
        }
        let spread = (residuals.map { $0 * $0 }.reduce(0, +) / Double(residuals.count)).squareRoot()
        let expectedSpread = z * norm / 6
        #expect(abs(spread - expectedSpread) / expectedSpread < 0.03, "spread \(spread), expected \(expectedSpread) over \(residuals.count) weights")
    }

    /// ε grows round by round exactly as the accountant composes (q = asked / available), the
    /// look-ahead the coordinator stops on equals the next round's ε, and adaptive clipping's
    /// norm moves and is carried in the state.
    @Test func theAccountantAndTheClippingNormCarryFromRoundToRound() throws {
        let choice = PrivacyChoice(clipping: "server-fixed", noiseMultiplier: 1.1, clippingNorm: 5, delta: 1e-5)
        var strategy = try AnyStrategy(StrategyChoice(name: "fedavg"), initialModel: Self.global)
        var generator = SeededGenerator(seed: 9)
        var state: PrivacyChoice.State?
        var reference = try RenyiAccountant()
        var previous = 0.0
        for number in 1...3 {
            let round = try DefenceBehaviourTests.round(seed: UInt64(30 + number), clients: 6, attack: .none)
            let lookAhead = try choice.epsilon(afterOneMoreRoundOf: state ?? choice.initialState(sampledClients: 6), samplingRate: 0.5)
            let outcome = try RoundClose.run(&strategy, round: number, updates: Self.updates(round), privacy: choice, state: state,
                                             sampledClients: 6, availableClients: 12, using: &generator)
            state = outcome.privacy
            try reference.compose(samplingRate: 0.5, noiseMultiplier: 1.1)
            let epsilon = try #require(state?.epsilon)
            #expect(epsilon == (try reference.epsilon(delta: 1e-5).epsilon))
            #expect(epsilon == lookAhead)
            #expect(epsilon > previous)
            previous = epsilon
        }

        let adaptive = PrivacyChoice(clipping: "server-adaptive", noiseMultiplier: 0.5, clippingNorm: 0.01, targetClippedQuantile: 0.5, clipNormLearningRate: 0.2)
        var adaptiveStrategy = try AnyStrategy(StrategyChoice(name: "fedavg"), initialModel: Self.global)
        let round = try DefenceBehaviourTests.round(seed: 40, clients: 6, attack: .none)
        let first = try RoundClose.run(&adaptiveStrategy, round: 1, updates: Self.updates(round), privacy: adaptive, state: nil, sampledClients: 100,
                                       availableClients: 100, using: &generator)
        #expect(first.clippedUpdates == 6, "every update is far above a 0.01 norm")
        let grown = try #require(first.privacy?.adaptive?.clippingNorm)
        #expect(grown > 0.01, "too many clipped: the norm grows (\(grown))")
        let second = try RoundClose.run(&adaptiveStrategy, round: 2, updates: Self.updates(round), privacy: adaptive, state: first.privacy, sampledClients: 100,
                                        availableClients: 100, using: &generator)
        #expect(try #require(second.privacy?.adaptive?.clippingNorm) > grown, "the second round starts from the first round's norm")
        let text = String(decoding: try JSONEncoder().encode(try #require(second.privacy)), as: UTF8.self)
        #expect(try JSONDecoder().decode(PrivacyChoice.State.self, from: Data(text.utf8)) == second.privacy, "the state survives the job's record")
    }
}
