/// A server-side aggregation strategy in the shape of Flower's `Strategy`, reduced to what the
/// maths needs: per-round client configuration and "fold the round's updates into a new global
/// model". Every strategy here starts from the example-weighted mean of the updates (Flower's
/// FedAvg), so a round streams through a ``WeightedMeanAccumulator`` and then
/// ``applyRound(_:weightedMean:)`` applies the server-side step.
///
/// Everything needed to resume after a restart is in ``state`` (Codable) plus
/// ``configuration`` (Codable): persist both after each round.
public protocol FederatedStrategy: Sendable {
    associatedtype Configuration: Sendable, Codable, Equatable
    associatedtype State: StrategyState

    var configuration: Configuration { get }
    var state: State { get }

    /// Resumes from a persisted state (checked for consistency).
    init(configuration: Configuration, state: State) throws(StrategyError)

    /// Extra values sent to clients with round `round`'s training instructions (Flower's
    /// `FitIns.config`), e.g. FedProx's `proximal_mu`.
    func clientConfiguration(round: Int) -> [String: Double]

    /// Applies the server step for `round` (which must be `state.completedRounds + 1`) given the
    /// example-weighted mean of its updates, and returns the new global model.
    mutating func applyRound(_ round: Int, weightedMean: TensorCollection) throws(StrategyError) -> TensorCollection
}

extension FederatedStrategy {
    public var globalModel: TensorCollection { state.globalModel }
    public var nextRound: Int { state.completedRounds + 1 }

    /// A fresh accumulator for the next round, validating against the current global model.
    public func makeAccumulator(options: WeightedMeanAccumulator.Options = .init()) -> WeightedMeanAccumulator {
        WeightedMeanAccumulator(template: state.globalModel, options: options)
    }

    /// Closes `round` from a streamed accumulator.
    public mutating func finishRound(_ round: Int, accumulator: WeightedMeanAccumulator) throws(StrategyError) -> TensorCollection {
        try state.checkNext(round)
        let mean: TensorCollection
        do {
            mean = try accumulator.mean()
        } catch {
            throw .aggregation(error)
        }
        return try applyRound(round, weightedMean: mean)
    }

    /// Flower's `aggregate_fit` for one round, given all results at once (they are still folded
    /// one by one). Refusals name the position of the offending result.
    public mutating func aggregate(
        round: Int, results: [(update: TensorCollection, examples: Int)],
        options: WeightedMeanAccumulator.Options = .init()
    ) throws(StrategyError) -> TensorCollection {
        try state.checkNext(round)
        var accumulator = makeAccumulator(options: options)
        for (position, result) in results.enumerated() {
            do {
                try accumulator.fold(result.update, examples: result.examples)
            } catch {
                throw .aggregation(.rejectedUpdate(position: position, reason: error))
            }
        }
        return try finishRound(round, accumulator: accumulator)
    }
}
