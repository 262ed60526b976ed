/// Federated Averaging (McMahan et al., 2017): the new global model is the example-weighted mean
/// of the updates. Flower: `flwr.server.strategy.FedAvg.aggregate_fit`.
public struct FedAvg: FederatedStrategy {
    /// FedAvg has nothing to configure on the server side.
    public struct Configuration: Sendable, Codable, Equatable {
        public init() {}
    }

    public struct State: StrategyState {
        public var globalModel: TensorCollection
        public var completedRounds: Int

        public init(globalModel: TensorCollection, completedRounds: Int = 0) {
            self.globalModel = globalModel
            self.completedRounds = completedRounds
        }
    }

    public let configuration: Configuration
    public private(set) var state: State

    /// Starts a job from `initialModel` (converted to F32, the working type).
    public init(configuration: Configuration = Configuration(), initialModel: TensorCollection) throws(StrategyError) {
        self.configuration = configuration
        self.state = State(globalModel: try StrategySupport.workingModel(initialModel))
    }

    public init(configuration: Configuration, state: State) throws(StrategyError) {
        try StrategySupport.checkWorkingModel(state.globalModel)
        self.configuration = configuration
        self.state = state
    }

    public func clientConfiguration(round: Int) -> [String: Double] { [:] }

    public mutating func applyRound(_ round: Int, weightedMean: TensorCollection) throws(StrategyError) -> TensorCollection {
        try state.checkRound(round, mean: weightedMean)
        state.globalModel = weightedMean
        state.completedRounds = round
        return weightedMean
    }
}
