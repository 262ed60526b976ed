/// FedProx (Li et al., 2020). On the server it is FedAvg; the difference is on the clients, which
/// add `mu/2 · ‖w − w_global‖²` to their loss. The server's part is to send `proximal_mu` with
/// every round, as Flower's `FedProx.configure_fit` does (see ``LocalTrainer`` for the client).
public struct FedProx: FederatedStrategy {
    public struct Configuration: Sendable, Codable, Equatable {
        /// Weight of the proximal term; Flower's `proximal_mu` (required there, no default).
        public var proximalMu: Double

        public init(proximalMu: Double) {
            self.proximalMu = proximalMu
        }
    }

    public typealias State = FedAvg.State

    public let configuration: Configuration
    public private(set) var state: State

    public init(configuration: Configuration, initialModel: TensorCollection) throws(StrategyError) {
        try Self.check(configuration)
        self.configuration = configuration
        self.state = State(globalModel: try StrategySupport.workingModel(initialModel))
    }

    public init(configuration: Configuration, state: State) throws(StrategyError) {
        try Self.check(configuration)
        try StrategySupport.checkWorkingModel(state.globalModel)
        self.configuration = configuration
        self.state = state
    }

    /// The key Flower uses, so Flower clients can join a Cumulus job unchanged.
    public static let proximalMuKey = "proximal_mu"

    public func clientConfiguration(round: Int) -> [String: Double] {
        [Self.proximalMuKey: configuration.proximalMu]
    }

    public mutating func applyRound(_ round: Int, weightedMean: TensorCollection) throws(StrategyError) -> TensorCollection {
        try state.checkRound(round, mean: weightedMean)
        state.globalModel = weightedMean
        state.completedRounds = round
        return weightedMean
    }

    private static func check(_ configuration: Configuration) throws(StrategyError) {
        try StrategySupport.checkFinite(configuration.proximalMu, "proximalMu")
        guard configuration.proximalMu >= 0 else {
            throw .invalidConfiguration("proximalMu must be ≥ 0, not \(configuration.proximalMu)")
        }
    }
}
