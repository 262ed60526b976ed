/// Adaptive federated optimisation (Reddi et al., 2020): FedAdam, FedYogi and FedAdagrad, one
/// type as in Flower, where they are thin subclasses of `FedOpt`. The server treats
/// `Δ = mean − w` as a pseudo-gradient and takes an optimiser step. The update rules are
/// Flower 1.41's verbatim (`fedadam.py`, `fedyogi.py`, `fedadagrad.py`), including details that
/// differ from textbook Adam:
///
///     m = β₁·m + (1 − β₁)·Δ                      (m starts as zeros: `np.zeros_like`)
///     Adam:    v = β₂·v + (1 − β₂)·Δ²            (v starts as zeros)
///              η' = η·√(1 − β₂^(t+1)) / (1 − β₁^(t+1))   — t+1, not t; applied to the step,
///              w = w + η'·m / (√v + τ)                     not to m and v separately
///     Yogi:    v = v − (1 − β₂)·Δ²·sign(v − Δ²);   w = w + η·m / (√v + τ)
///     Adagrad: v = v + Δ²  (β₁ fixed at 0, so m = Δ); w = w + η·m / (√v + τ)
///
/// Precision: each element is computed in Double from the stored Float values and rounded back
/// to Float. Flower computes Yogi and Adagrad in float32 and — because `η'` is a NumPy float64
/// scalar — promotes FedAdam's weights and moments to float64 from round 1 on. Cumulus keeps the
/// model and the moments in F32 (the model's type; half the memory), which agrees with Flower to
/// about 1e-7 relative per round.
public struct FedOpt: FederatedStrategy {
    public enum Variant: String, Sendable, Codable, CaseIterable {
        case adam, yogi, adagrad
    }

    public struct Configuration: Sendable, Codable, Equatable {
        public var variant: Variant
        /// Server learning rate η.
        public var eta: Double
        /// Client learning rate. Flower stores it (`eta_l`) but never uses or sends it; it is
        /// kept here for the same reason: so a job records what it was configured with.
        public var etaL: Double
        public var beta1: Double
        public var beta2: Double
        /// Adaptivity τ, added to √v.
        public var tau: Double

        public init(variant: Variant, eta: Double, etaL: Double, beta1: Double, beta2: Double, tau: Double) {
            self.variant = variant
            self.eta = eta
            self.etaL = etaL
            self.beta1 = beta1
            self.beta2 = beta2
            self.tau = tau
        }

        /// Flower's `FedAdam` defaults.
        public static func adam(eta: Double = 1e-1, etaL: Double = 1e-1, beta1: Double = 0.9, beta2: Double = 0.99, tau: Double = 1e-9) -> Self {
            Self(variant: .adam, eta: eta, etaL: etaL, beta1: beta1, beta2: beta2, tau: tau)
        }

        /// Flower's `FedYogi` defaults.
        public static func yogi(eta: Double = 1e-2, etaL: Double = 0.0316, beta1: Double = 0.9, beta2: Double = 0.99, tau: Double = 1e-3) -> Self {
            Self(variant: .yogi, eta: eta, etaL: etaL, beta1: beta1, beta2: beta2, tau: tau)
        }

        /// Flower's `FedAdagrad` defaults; β₁ and β₂ are fixed at 0 as Flower fixes them.
        public static func adagrad(eta: Double = 1e-1, etaL: Double = 1e-1, tau: Double = 1e-9) -> Self {
            Self(variant: .adagrad, eta: eta, etaL: etaL, beta1: 0, beta2: 0, tau: tau)
        }
    }

    public struct State: StrategyState {
        /// Flower's `current_weights`.
        public var globalModel: TensorCollection
        public var completedRounds: Int
        /// Flower's `m_t`; absent before the first round.
        public var firstMoment: TensorCollection?
        /// Flower's `v_t`; absent before the first round.
        public var secondMoment: TensorCollection?

        public init(globalModel: TensorCollection, completedRounds: Int = 0, firstMoment: TensorCollection? = nil, secondMoment: TensorCollection? = nil) {
            self.globalModel = globalModel
            self.completedRounds = completedRounds
            self.firstMoment = firstMoment
            self.secondMoment = secondMoment
        }
    }

    public let configuration: Configuration
    public private(set) var state: State
    /// Threads for the element-wise step on large tensors (an execution choice, not part of the
    /// persisted configuration). The step is compute-bound — Swift's `squareRoot` goes through
    /// libm on Linux, which keeps the loop scalar — so a second core nearly halves it.
    public var parallelism = 1

    public init(configuration: Configuration, initialModel: TensorCollection) throws(StrategyError) {
        try Self.check(configuration)
        self.configuration = configuration
        self.state = State(globalModel: try StrategySupport.workingModel(initialModel))
    }

    public init(configuration: Configuration, state: State) throws(StrategyError) {
        try Self.check(configuration)
        try StrategySupport.checkWorkingModel(state.globalModel)
        try StrategySupport.checkCompanion(state.firstMoment, "the first moment", model: state.globalModel)
        try StrategySupport.checkCompanion(state.secondMoment, "the second moment", model: state.globalModel)
        self.configuration = configuration
        self.state = state
    }

    public func clientConfiguration(round: Int) -> [String: Double] { [:] }

    public mutating func applyRound(_ round: Int, weightedMean: TensorCollection) throws(StrategyError) -> TensorCollection {
        try state.checkRound(round, mean: weightedMean)
        let rule = UpdateRule(configuration, round: round)

        var weights = TensorCollection()
        swap(&weights, &state.globalModel)  // own the buffers so they mutate in place
        var first = state.firstMoment ?? StrategySupport.zeros(like: weights)
        var second = state.secondMoment ?? StrategySupport.zeros(like: weights)
        state.firstMoment = nil
        state.secondMoment = nil

        for entry in ModelLayout(weights).entries {
            weightedMean[entry.name]!.withUnsafeFloat32Buffer { mean in
                StrategySupport.withMutableBuffers(entry.name, &first, &second) { m, v in
                    _ = weights.modify(entry.name) { tensor in
                        tensor.withUnsafeMutableFloat32Buffer { w in
                            Kernels.forEachRange(count: w.count, parallelism: parallelism) { _, range in
                                rule.apply(w: UnsafeMutableBufferPointer(rebasing: w[range]), m: UnsafeMutableBufferPointer(rebasing: m[range]),
                                           v: UnsafeMutableBufferPointer(rebasing: v[range]), mean: UnsafeBufferPointer(rebasing: mean[range]))
                            }
                        }
                    }
                }
            }
        }
        state.globalModel = weights
        state.firstMoment = first
        state.secondMoment = second
        state.completedRounds = round
        return weights
    }

    private static func check(_ configuration: Configuration) throws(StrategyError) {
        for (value, name) in [(configuration.eta, "eta"), (configuration.etaL, "etaL"), (configuration.beta1, "beta1"),
                              (configuration.beta2, "beta2"), (configuration.tau, "tau")] {
            try StrategySupport.checkFinite(value, name)
        }
        guard (0..<1).contains(configuration.beta1), (0..<1).contains(configuration.beta2) else {
            throw .invalidConfiguration("beta1 and beta2 must lie in [0, 1), not \(configuration.beta1) and \(configuration.beta2)")
        }
        guard configuration.tau >= 0 else { throw .invalidConfiguration("tau must be ≥ 0, not \(configuration.tau)") }
        if configuration.variant == .adagrad, configuration.beta1 != 0 {
            throw .invalidConfiguration("FedAdagrad fixes beta1 at 0 (as Flower does), not \(configuration.beta1)")
        }
    }
}
