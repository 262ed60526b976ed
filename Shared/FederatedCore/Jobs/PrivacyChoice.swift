import Foundation

/// Differential privacy as a job names it (Flower 1.41's DP wrappers, on FedAvg's mean):
///
///   server-fixed     the coordinator clips each update to `clippingNorm` around the round's
///                    global model, averages, adds N(0, (z·C/m)²) per weight
///   server-adaptive  the same, with C following the `targetClippedQuantile` of the update norms
///                    (Andrew et al.; ``AdaptiveClipping``), starting at `clippingNorm`
///   client-fixed     each agent clips its own update before it leaves the machine; the
///                    coordinator clips again (an update above C is not trusted) and adds the noise
///
/// z is `noiseMultiplier`, m the participants asked in the round. A Rényi accountant composes
/// each round (sampling rate q = asked / available, noise z) and reports ε for `delta`; with
/// `targetEpsilon` the job stops before a round would spend more than that.
public struct PrivacyChoice: Sendable, Codable, Equatable {
    public var clipping: String
    public var noiseMultiplier: Double
    public var clippingNorm: Double
    public var targetClippedQuantile: Double?
    public var clipNormLearningRate: Double?
    public var delta: Double
    public var targetEpsilon: Double?

    public static let clippings = ["server-fixed", "server-adaptive", "client-fixed"]

    public init(clipping: String, noiseMultiplier: Double, clippingNorm: Double, targetClippedQuantile: Double? = nil, clipNormLearningRate: Double? = nil,
                delta: Double = 1e-5, targetEpsilon: Double? = nil) {
        self.clipping = clipping; self.noiseMultiplier = noiseMultiplier; self.clippingNorm = clippingNorm
        self.targetClippedQuantile = targetClippedQuantile; self.clipNormLearningRate = clipNormLearningRate
        self.delta = delta; self.targetEpsilon = targetEpsilon
    }

    /// The field at fault and why, or nil.
    public var problem: (field: String, reason: String)? {
        guard Self.clippings.contains(clipping) else { return ("clipping", "must be one of \(Self.clippings.joined(separator: ", "))") }
        guard noiseMultiplier.isFinite, noiseMultiplier > 0, noiseMultiplier <= 100 else { return ("noiseMultiplier", "must be above 0 and at most 100") }
        guard clippingNorm.isFinite, clippingNorm > 0, clippingNorm <= 1e6 else { return ("clippingNorm", "must be above 0 and at most 1e6") }
        guard delta.isFinite, delta > 0, delta < 0.1 else { return ("delta", "must be above 0 and below 0.1 (well below 1/participants)") }
        if let target = targetEpsilon, !(target.isFinite && target > 0) { return ("targetEpsilon", "must be a positive number") }
        if clipping == "server-adaptive" {
            if let quantile = targetClippedQuantile, !(0...1).contains(quantile) { return ("targetClippedQuantile", "must lie in [0, 1]") }
            if let rate = clipNormLearningRate, !(rate.isFinite && rate > 0 && rate <= 10) { return ("clipNormLearningRate", "must be above 0 and at most 10") }
        } else if targetClippedQuantile != nil || clipNormLearningRate != nil {
            return (targetClippedQuantile != nil ? "targetClippedQuantile" : "clipNormLearningRate", "applies to server-adaptive clipping only")
        }
        return nil
    }

    /// What the job keeps from round to round.
    public struct State: Sendable, Codable, Equatable {
        public var accountant: RenyiAccountant
        public var adaptive: AdaptiveClipping?
        public var epsilon: Double?
    }

    public func initialState(sampledClients: Int) throws -> State {
        var adaptive: AdaptiveClipping?
        if clipping == "server-adaptive" {
            adaptive = try AdaptiveClipping(configuration: AdaptiveClipping.Configuration(
                noiseMultiplier: noiseMultiplier, numSampledClients: max(1, sampledClients), initialClippingNorm: clippingNorm,
                targetClippedQuantile: targetClippedQuantile ?? 0.5, clipNormLearningRate: clipNormLearningRate ?? 0.2))
        }
        return State(accountant: try RenyiAccountant(), adaptive: adaptive, epsilon: nil)
    }

    /// ε once one more round at sampling rate `q` is composed onto `state`.
    public func epsilon(afterOneMoreRoundOf state: State, samplingRate q: Double) throws -> Double {
        var accountant = state.accountant
        try accountant.compose(samplingRate: min(1, max(q, 0)), noiseMultiplier: noiseMultiplier)
        return try accountant.epsilon(delta: delta).epsilon
    }

    /// One round: every update clipped (streamed, one at a time), the example-weighted mean
    /// noised, the accountant composed. Answers the noised mean, how many updates arrived above
    /// the clipping norm, and the new state (ε included).
    public func close(globalModel: TensorCollection, updates: [RoundClose.Update], sampledClients: Int, availableClients: Int, state: State?,
                      using generator: inout some RandomNumberGenerator) throws -> (mean: TensorCollection, clipped: Int, state: State) {
        var state = try state ?? initialState(sampledClients: sampledClients)
        let norm = state.adaptive?.clippingNorm ?? clippingNorm
        var accumulator = WeightedMeanAccumulator(template: globalModel)
        var bits: [Bool] = []
        var above = 0
        for update in updates {
            let clipped = try UpdateClipping.clip(try update.load(), reference: globalModel, clippingNorm: norm)
            bits.append(clipped.wasClipped)
            // Reported: updates that arrived above the norm, beyond float32 rounding of one an
            // agent clipped itself (those still go through the clip, harmlessly).
            if clipped.norm > norm * (1 + 1e-5) { above += 1 }
            try accumulator.fold(clipped.model, examples: update.examples)
        }
        let mean = try accumulator.mean()
        let deviation: Double
        if var adaptive = state.adaptive {
            adaptive.update(wasClipped: bits, using: &generator)
            deviation = adaptive.standardDeviation
            state.adaptive = adaptive
        } else {
            deviation = ServerSideFixedClipping.standardDeviation(noiseMultiplier: noiseMultiplier, clippingNorm: norm, numSampledClients: max(1, sampledClients))
        }
        let noised = GaussianNoise.add(to: mean, standardDeviation: deviation, using: &generator)
        let q = Double(sampledClients) / Double(max(sampledClients, availableClients, 1))
        try state.accountant.compose(samplingRate: q, noiseMultiplier: noiseMultiplier)
        let epsilon = try state.accountant.epsilon(delta: delta).epsilon
        // Unbounded only for a noise multiplier near 0; JSON (the job's record) has no infinity.
        state.epsilon = epsilon.isFinite ? epsilon : .greatestFiniteMagnitude
        return (noised, above, state)
    }
}
