/// Central DP with server-side fixed clipping, Flower 1.41's
/// `DifferentialPrivacyServerSideFixedClipping` around FedAvg:
///
///     each update:  clipped to C around the round's starting model (``UpdateClipping``)
///     mean:         example-weighted mean of the clipped updates (FedAvg)
///     noise:        N(0, σ²) per element, σ = noiseMultiplier · C / numSampledClients
///                   (Flower's `compute_stdv`, McMahan et al. 2018)
///
/// The clipped updates stream through a ``WeightedMeanAccumulator`` like any FedAvg round, so
/// `clip` then `fold`, and `addNoise` to the mean; `aggregate` does all three for a batch.
public struct ServerSideFixedClipping: Sendable, Codable, Equatable {
    public let noiseMultiplier: Double
    public let clippingNorm: Double
    /// The number of clients sampled per round, which the noise is calibrated to (Flower warns,
    /// and so should the coordinator, when fewer return).
    public let numSampledClients: Int

    public init(noiseMultiplier: Double, clippingNorm: Double, numSampledClients: Int) throws(PrivacyError) {
        guard noiseMultiplier >= 0, noiseMultiplier.isFinite else { throw .invalidConfiguration("noise multiplier must be finite and ≥ 0, not \(noiseMultiplier)") }
        guard clippingNorm > 0, clippingNorm.isFinite else { throw .invalidConfiguration("clipping norm must be finite and > 0, not \(clippingNorm)") }
        guard numSampledClients > 0 else { throw .invalidConfiguration("the number of sampled clients must be > 0, not \(numSampledClients)") }
        self.noiseMultiplier = noiseMultiplier
        self.clippingNorm = clippingNorm
        self.numSampledClients = numSampledClients
    }

    /// Flower's `compute_stdv(noise_multiplier, clipping_norm, num_sampled_clients)`.
    public static func standardDeviation(noiseMultiplier: Double, clippingNorm: Double, numSampledClients: Int) -> Double {
        noiseMultiplier * clippingNorm / Double(numSampledClients)
    }

    public var standardDeviation: Double {
        Self.standardDeviation(noiseMultiplier: noiseMultiplier, clippingNorm: clippingNorm, numSampledClients: numSampledClients)
    }

    public func clip(_ update: TensorCollection, globalModel: TensorCollection) throws(PrivacyError) -> UpdateClipping.Clipped {
        try UpdateClipping.clip(update, reference: globalModel, clippingNorm: clippingNorm)
    }

    public func addNoise(to mean: TensorCollection, using generator: inout some RandomNumberGenerator) -> TensorCollection {
        GaussianNoise.add(to: mean, standardDeviation: standardDeviation, using: &generator)
    }

    /// Clip, FedAvg and noise one round given all its results.
    public func aggregate(
        globalModel: TensorCollection, results: [(update: TensorCollection, examples: Int)], using generator: inout some RandomNumberGenerator
    ) throws(PrivacyError) -> TensorCollection {
        var accumulator = WeightedMeanAccumulator(template: globalModel)
        for (position, result) in results.enumerated() {
            let clipped = try clip(result.update, globalModel: globalModel)
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
        return addNoise(to: mean, using: &generator)
    }
}
