/// FedAvg with server momentum (Hsu et al., 2019), following Flower 1.41's
/// `FedAvgM.aggregate_fit` operation for operation, in float32 as NumPy computes it:
///
///     pseudo_gradient = w − mean
///     if momentum > 0:  m = pseudo_gradient (round 1),  m = momentum·m + pseudo_gradient (later)
///                       pseudo_gradient = m
///     w = w − lr · pseudo_gradient
///
/// With the defaults (lr 1, momentum 0) Flower skips the server step and returns the mean itself
/// (not `w − 1·(w − mean)`, which rounds differently); so does this type.
public struct FedAvgM: FederatedStrategy {
    public struct Configuration: Sendable, Codable, Equatable {
        /// Flower's `server_learning_rate` (default 1.0).
        public var serverLearningRate: Double
        /// Flower's `server_momentum` (default 0.0).
        public var serverMomentum: Double

        public init(serverLearningRate: Double = 1.0, serverMomentum: Double = 0.0) {
            self.serverLearningRate = serverLearningRate
            self.serverMomentum = serverMomentum
        }

        /// Flower's `server_opt`: whether there is a server step at all.
        var hasServerStep: Bool { serverMomentum != 0 || serverLearningRate != 1 }
    }

    public struct State: StrategyState {
        public var globalModel: TensorCollection
        public var completedRounds: Int
        /// Flower's `momentum_vector`; absent until the first round with momentum.
        public var momentum: TensorCollection?

        public init(globalModel: TensorCollection, completedRounds: Int = 0, momentum: TensorCollection? = nil) {
            self.globalModel = globalModel
            self.completedRounds = completedRounds
            self.momentum = momentum
        }
    }

    public let configuration: Configuration
    public private(set) var state: State

    public init(configuration: Configuration = Configuration(), initialModel: TensorCollection) throws(StrategyError) {
        try Self.check(configuration)
        self.configuration = configuration
        self.state = State(globalModel: try StrategySupport.workingModel(initialModel))
    }

    public init(configuration: Configuration, state: State) throws(StrategyError) {
        try Self.check(configuration)
        try StrategySupport.checkWorkingModel(state.globalModel)
        try StrategySupport.checkCompanion(state.momentum, "the momentum", model: state.globalModel)
        self.configuration = configuration
        self.state = state
    }

    public func clientConfiguration(round: Int) -> [String: Double] { [:] }

    public mutating func applyRound(_ round: Int, weightedMean: TensorCollection) throws(StrategyError) -> TensorCollection {
        try state.checkRound(round, mean: weightedMean)
        guard configuration.hasServerStep else {
            state.globalModel = weightedMean
            state.completedRounds = round
            return weightedMean
        }
        // NumPy multiplies a float32 array by a Python float in float32, so the factors are
        // rounded to Float once, here.
        let learningRate = Float(configuration.serverLearningRate)
        let beta = Float(configuration.serverMomentum)
        let usesMomentum = configuration.serverMomentum > 0
        // Flower keys "first round" on the round number; a state without momentum (e.g. resumed
        // after the configuration changed) starts it the same way instead of failing an assert.
        let continuesMomentum = round > 1 && state.momentum != nil

        var weights = TensorCollection()
        swap(&weights, &state.globalModel)  // own the buffers so they mutate in place
        var momentum = TensorCollection()
        if usesMomentum {
            momentum = state.momentum ?? StrategySupport.zeros(like: weights)
            state.momentum = nil
        }

        for entry in ModelLayout(weights).entries {
            weightedMean[entry.name]!.withUnsafeFloat32Buffer { mean in
                if usesMomentum {
                    StrategySupport.withMutableBuffers(entry.name, &weights, &momentum) { w, m in
                        for index in 0..<w.count {
                            let pseudoGradient = w[index] - mean[index]
                            m[index] = continuesMomentum ? beta * m[index] + pseudoGradient : pseudoGradient
                            w[index] = w[index] - learningRate * m[index]
                        }
                    }
                } else {
                    _ = weights.modify(entry.name) { tensor in
                        tensor.withUnsafeMutableFloat32Buffer { w in
                            for index in 0..<w.count {
                                w[index] = w[index] - learningRate * (w[index] - mean[index])
                            }
                        }
                    }
                }
            }
        }
        state.globalModel = weights
        state.momentum = usesMomentum ? momentum : nil
        state.completedRounds = round
        return weights
    }

    private static func check(_ configuration: Configuration) throws(StrategyError) {
        try StrategySupport.checkFinite(configuration.serverLearningRate, "serverLearningRate")
        try StrategySupport.checkFinite(configuration.serverMomentum, "serverMomentum")
        guard configuration.serverMomentum >= 0 else {
            throw .invalidConfiguration("serverMomentum must be ≥ 0, not \(configuration.serverMomentum)")
        }
    }
}
