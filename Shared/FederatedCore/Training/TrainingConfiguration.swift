/// Hyper-parameters of one local training run: mini-batch SGD with PyTorch's momentum and
/// weight-decay semantics, plus FedProx's proximal term.
public struct TrainingConfiguration: Sendable, Hashable, Codable {
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    /// PyTorch SGD momentum: `buffer = momentum·buffer + gradient; w −= lr·buffer`.
    public var momentum: Double
    /// L2 penalty `weightDecay/2·‖w‖²` (PyTorch adds `weightDecay·w` to the gradient; same thing).
    public var weightDecay: Double
    /// FedProx `mu`: adds `mu/2·‖w − w_global‖²` to the objective.
    public var proximalMu: Double
    /// Seeds the shuffling of examples, the only randomness in training.
    public var seed: UInt64

    public init(
        epochs: Int = 1, batchSize: Int = 32, learningRate: Double = 0.1, momentum: Double = 0,
        weightDecay: Double = 0, proximalMu: Double = 0, seed: UInt64 = 0
    ) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.proximalMu = proximalMu
        self.seed = seed
    }

    func validate() throws(TrainingError) {
        guard epochs >= 1 else { throw .invalidConfiguration(field: "epochs", reason: "must be at least 1, not \(epochs)") }
        guard batchSize >= 1 else { throw .invalidConfiguration(field: "batchSize", reason: "must be at least 1, not \(batchSize)") }
        guard learningRate.isFinite, learningRate > 0 else {
            throw .invalidConfiguration(field: "learningRate", reason: "must be a positive number, not \(learningRate)")
        }
        guard momentum.isFinite, (0..<1).contains(momentum) else {
            throw .invalidConfiguration(field: "momentum", reason: "must lie in [0, 1), not \(momentum)")
        }
        guard weightDecay.isFinite, weightDecay >= 0 else {
            throw .invalidConfiguration(field: "weightDecay", reason: "must be ≥ 0, not \(weightDecay)")
        }
        guard proximalMu.isFinite, proximalMu >= 0 else {
            throw .invalidConfiguration(field: "proximalMu", reason: "must be ≥ 0, not \(proximalMu)")
        }
    }
}
