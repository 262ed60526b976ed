import Foundation

/// How a round's accepted updates become the next global model — the one place the coordinator
/// and `cumulus aggregate` both use, so the offline tool reproduces the service bit for bit.
///
/// Without a defence, updates are loaded and folded one at a time into the strategy's weighted
/// mean (memory O(model)). With one, the rule sees the whole round (memory O(updates × model)),
/// and its model stands in for the weighted mean, weighted by the round's examples, before the
/// strategy's server step.
public enum RoundClose {
    public struct Update {
        public var client: String
        public var examples: Int
        public var load: () throws -> TensorCollection
        public init(client: String, examples: Int, load: @escaping () throws -> TensorCollection) {
            self.client = client
            self.examples = examples
            self.load = load
        }
    }

    public struct Outcome: Sendable {
        public var model: TensorCollection
        /// The defence's verdict per update, in the updates' order (nil without a defence).
        public var verdicts: [ClientVerdict]?
        public var rule: String?
        /// A stateful rule's state after this round, to hand to the next (nil otherwise).
        public var defenceState: Data?
        /// With differential privacy: the accountant (ε so far) and clipping state after this round.
        public var privacy: PrivacyChoice.State?
        /// With differential privacy: how many updates were scaled down to the clipping norm.
        public var clippedUpdates: Int?
    }

    /// `defenceState` is what the previous round's outcome gave (nil for the first round).
    public static func run(_ strategy: inout AnyStrategy, round: Int, updates: [Update], defence: DefenceChoice?, defenceState: Data? = nil) throws -> Outcome {
        var accumulator = strategy.makeAccumulator()
        guard let defence else {
            for update in updates { try accumulator.fold(try update.load(), examples: update.examples) }
            return Outcome(model: try strategy.finishRound(round, accumulator: accumulator), verdicts: nil, rule: nil)
        }
        var buffered = RoundUpdates(globalModel: strategy.globalModel, expectedClients: updates.count)
        for update in updates { try buffered.append(client: update.client, update: try update.load(), examples: update.examples) }
        var rule = try defence.aggregator(state: defenceState)
        let defended = try rule.aggregate(buffered)
        try accumulator.fold(defended.model, examples: max(1, updates.reduce(0) { $0 + $1.examples }))
        return Outcome(model: try strategy.finishRound(round, accumulator: accumulator), verdicts: defended.verdicts, rule: rule.name,
                       defenceState: try (rule as? any StatefulAggregator)?.encodedState())
    }

    /// A round under differential privacy (no defence: the noise is calibrated to FedAvg's clipped
    /// mean): the clipped, noised mean stands in for the weighted mean before the strategy's
    /// server step. `state` is what the previous round's outcome gave (nil for the first).
    public static func run(_ strategy: inout AnyStrategy, round: Int, updates: [Update], privacy: PrivacyChoice, state: PrivacyChoice.State?,
                           sampledClients: Int, availableClients: Int, using generator: inout some RandomNumberGenerator) throws -> Outcome {
        let (mean, clipped, next) = try privacy.close(globalModel: strategy.globalModel, updates: updates, sampledClients: sampledClients,
                                                      availableClients: availableClients, state: state, using: &generator)
        var accumulator = strategy.makeAccumulator()
        try accumulator.fold(mean, examples: max(1, updates.reduce(0) { $0 + $1.examples }))
        return Outcome(model: try strategy.finishRound(round, accumulator: accumulator), verdicts: nil, rule: nil, defenceState: nil,
                       privacy: next, clippedUpdates: clipped)
    }
}
