/// The part of every strategy state the shared round logic needs.
public protocol StrategyState: Sendable, Codable, Equatable {
    /// The current global model (F32).
    var globalModel: TensorCollection { get }
    /// Rounds applied so far; the next one is `completedRounds + 1`.
    var completedRounds: Int { get }
}

extension StrategyState {
    func checkNext(_ round: Int) throws(StrategyError) {
        guard round == completedRounds + 1 else {
            throw .roundOutOfOrder(expected: completedRounds + 1, found: round)
        }
    }

    /// Checks round order and that `mean` is shaped like the global model.
    func checkRound(_ round: Int, mean: TensorCollection) throws(StrategyError) {
        try checkNext(round)
        do {
            try ModelLayout(globalModel).validate(mean)
        } catch {
            throw .aggregation(error)
        }
    }
}
