#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Adaptive clipping (Andrew et al., "Differentially Private Learning with Adaptive Clipping",
/// 2021), with Flower 1.41's parameters and maths (`DifferentialPrivacyServerSideAdaptiveClipping`
/// and, for the client-side variant, `DifferentialPrivacyClientSideAdaptiveClipping` with
/// `adaptiveclipping_mod`): the clipping norm C follows a target quantile γ of the update norms
/// by a geometric step on a noised count of the updates that were clipped ("norm bits"):
///
///     b̃ = Σ bᵢ + N(0, σ_b²);   C ← C · exp(−η_C · (b̃ / n − γ))
///
/// and the model noise is N(0, (z_Δ · C / m)²) with C the *updated* norm (as Flower does) and
/// z_Δ = (z⁻² − (2σ_b)⁻²)^(−1/2), so that the count and the model together spend the privacy of
/// noise multiplier z (Andrew et al., Theorem 1; Flower's `compute_adaptive_noise_params`).
/// σ_b defaults to m/20 (m = clients sampled per round), as the paper recommends.
///
/// Which updates count in b̃ — a deliberate choice, see ``NormBitConvention``: Andrew et al.
/// count the updates *not* clipped (bᵢ = 1 when ‖Δᵢ‖ ≤ C), so C tracks the γ-quantile of the
/// norms and the rule is stable (too many unclipped → C shrinks). Flower 1.41 counts the updates
/// that *were* clipped with the same sign, so too many clipped → C shrinks → more are clipped: C
/// runs away to 0 (or up without bound). `.andrewEtAl` is the default; `.flower141` reproduces
/// Flower's numbers (the fixtures test it) for jobs that must match an existing Flower setup.
///
/// The state (the current C) is Codable: persist it with the round.
public struct AdaptiveClipping: Sendable, Codable, Equatable {
    public enum NormBitConvention: String, Sendable, Codable, Equatable {
        /// bᵢ = 1 when the update was not clipped (‖Δᵢ‖ ≤ C); γ is the fraction left unclipped.
        case andrewEtAl
        /// bᵢ = 1 when the update was clipped, with Andrew et al.'s sign (Flower 1.41).
        case flower141
    }

    public struct Configuration: Sendable, Codable, Equatable {
        /// The noise multiplier z the whole mechanism should amount to.
        public var noiseMultiplier: Double
        public var numSampledClients: Int
        public var initialClippingNorm: Double
        /// γ: the quantile of the update norms C should track (Flower's `target_clipped_quantile`).
        public var targetClippedQuantile: Double
        /// η_C.
        public var clipNormLearningRate: Double
        /// σ_b; nil for Flower's default (m/20 when z > 0, else 0).
        public var clippedCountStddev: Double?
        public var normBitConvention: NormBitConvention

        public init(noiseMultiplier: Double, numSampledClients: Int, initialClippingNorm: Double = 0.1, targetClippedQuantile: Double = 0.5,
                    clipNormLearningRate: Double = 0.2, clippedCountStddev: Double? = nil, normBitConvention: NormBitConvention = .andrewEtAl) {
            self.normBitConvention = normBitConvention
            self.noiseMultiplier = noiseMultiplier
            self.numSampledClients = numSampledClients
            self.initialClippingNorm = initialClippingNorm
            self.targetClippedQuantile = targetClippedQuantile
            self.clipNormLearningRate = clipNormLearningRate
            self.clippedCountStddev = clippedCountStddev
        }
    }

    public let configuration: Configuration
    /// σ_b actually used.
    public let clippedCountStddev: Double
    /// z_Δ, the multiplier of the noise added to the model.
    public let modelNoiseMultiplier: Double
    /// The current clipping norm C (the state).
    public private(set) var clippingNorm: Double

    public init(configuration: Configuration) throws(PrivacyError) {
        let c = configuration
        guard c.noiseMultiplier >= 0, c.noiseMultiplier.isFinite else { throw .invalidConfiguration("noise multiplier must be finite and ≥ 0, not \(c.noiseMultiplier)") }
        guard c.numSampledClients > 0 else { throw .invalidConfiguration("the number of sampled clients must be > 0") }
        guard c.initialClippingNorm > 0 else { throw .invalidConfiguration("the initial clipping norm must be > 0, not \(c.initialClippingNorm)") }
        guard (0...1).contains(c.targetClippedQuantile) else { throw .invalidConfiguration("the target clipped quantile must be in [0, 1], not \(c.targetClippedQuantile)") }
        guard c.clipNormLearningRate > 0 else { throw .invalidConfiguration("the clip-norm learning rate must be > 0, not \(c.clipNormLearningRate)") }
        if let stddev = c.clippedCountStddev, stddev < 0 { throw .invalidConfiguration("the clipped-count stddev must be ≥ 0, not \(stddev)") }
        let (stddev, multiplier) = try Self.noiseParameters(noiseMultiplier: c.noiseMultiplier, numSampledClients: Double(c.numSampledClients),
                                                            clippedCountStddev: c.clippedCountStddev)
        self.configuration = configuration
        self.clippedCountStddev = stddev
        self.modelNoiseMultiplier = multiplier
        self.clippingNorm = c.initialClippingNorm
    }

    /// Flower's `compute_adaptive_noise_params`: (σ_b, z_Δ).
    public static func noiseParameters(noiseMultiplier z: Double, numSampledClients m: Double, clippedCountStddev: Double?) throws(PrivacyError) -> (Double, Double) {
        guard z > 0 else { return (clippedCountStddev ?? 0, 0) }
        let stddev = clippedCountStddev ?? m / 20
        guard z < 2 * stddev else {
            throw .invalidConfiguration("the clipped-count stddev \(stddev) is too low for noise multiplier \(z): it must exceed z/2 (increase it or the number of sampled clients)")
        }
        return (stddev, pow(pow(z, -2) - pow(2 * stddev, -2), -0.5))
    }

    /// The model noise's standard deviation for the current clipping norm.
    public var standardDeviation: Double {
        ServerSideFixedClipping.standardDeviation(noiseMultiplier: modelNoiseMultiplier, clippingNorm: clippingNorm, numSampledClients: configuration.numSampledClients)
    }

    /// The geometric update from this round's clipping outcomes (`true` = the update was
    /// clipped, i.e. Flower's norm bit / ``UpdateClipping/Clipped/wasClipped``).
    public mutating func update(wasClipped normBits: [Bool], using generator: inout some RandomNumberGenerator) {
        guard !normBits.isEmpty else { return }
        let clipped = normBits.filter { $0 }.count
        let count = Double(configuration.normBitConvention == .flower141 ? clipped : normBits.count - clipped)
        let noised = clippedCountStddev > 0 ? count + clippedCountStddev * GaussianNoise.standardNormal(using: &generator) : count
        clippingNorm *= exp(-configuration.clipNormLearningRate * (noised / Double(normBits.count) - configuration.targetClippedQuantile))
    }

    /// One server-side round, in Flower's order: clip every update with the current norm, update
    /// the norm from the norm bits, FedAvg the clipped updates, add noise for the *new* norm.
    public mutating func aggregateServerSide(
        globalModel: TensorCollection, results: [(update: TensorCollection, examples: Int)], using generator: inout some RandomNumberGenerator
    ) throws(PrivacyError) -> TensorCollection {
        var accumulator = WeightedMeanAccumulator(template: globalModel)
        var bits: [Bool] = []
        for (position, result) in results.enumerated() {
            let clipped = try UpdateClipping.clip(result.update, reference: globalModel, clippingNorm: clippingNorm)
            bits.append(clipped.wasClipped)
            do {
                try accumulator.fold(clipped.model, examples: result.examples)
            } catch {
                throw .aggregation(.rejectedUpdate(position: position, reason: error))
            }
        }
        let mean: TensorCollection
        do {
            mean = try accumulator.mean()
        } catch {
            throw .aggregation(error)
        }
        update(wasClipped: bits, using: &generator)
        return GaussianNoise.add(to: mean, standardDeviation: standardDeviation, using: &generator)
    }
}
