import SeededRandom
import Testing

@testable import FederatedCore

@Suite("differential privacy behaviour")
struct PrivacyTests {
    @Test("Gaussian noise has the requested mean and standard deviation", arguments: [0.01, 0.5, 3.0])
    func noiseMoments(standardDeviation: Double) throws {
        var generator = Xoshiro256StarStar(seed: 99)
        let zeros = try TensorCollection([("w", Tensor.zeros(shape: [200_000]))])
        let noised = GaussianNoise.add(to: zeros, standardDeviation: standardDeviation, using: &generator)["w"]!.floatValues().map(Double.init)
        let n = Double(noised.count)
        let mean = noised.reduce(0, +) / n
        let variance = noised.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)
        // Five standard errors: mean σ/√n, standard deviation ≈ σ/√(2n).
        #expect(abs(mean) < 5 * standardDeviation / n.squareRoot())
        #expect(abs(variance.squareRoot() - standardDeviation) < 5 * standardDeviation / (2 * n).squareRoot())
    }

    @Test("adaptive clipping moves the norm towards the target quantile of the update norms")
    func adaptiveClippingTracksQuantile() throws {
        var generator = Xoshiro256StarStar(seed: 5)
        let norms = (1...100).map(Double.init)  // the 0.3-quantile is 30
        for start in [0.01, 1000] {
            var clipping = try AdaptiveClipping(configuration: .init(noiseMultiplier: 1, numSampledClients: 100, initialClippingNorm: start,
                                                                     targetClippedQuantile: 0.3, clipNormLearningRate: 0.2))
            for _ in 0..<400 {
                let bits = norms.map { $0 > clipping.clippingNorm }
                clipping.update(wasClipped: bits, using: &generator)
            }
            // The count is noised (σ_b = 5 of 100), so C wanders around the quantile.
            #expect(abs(clipping.clippingNorm - 30) <= 12, "from \(start): \(clipping.clippingNorm)")
        }
        // Flower 1.41's convention runs away from the quantile.
        var flower = try AdaptiveClipping(configuration: .init(noiseMultiplier: 0, numSampledClients: 100, initialClippingNorm: 20,
                                                               targetClippedQuantile: 0.3, normBitConvention: .flower141))
        for _ in 0..<200 {
            let bits = norms.map { $0 > flower.clippingNorm }
            flower.update(wasClipped: bits, using: &generator)
        }
        #expect(flower.clippingNorm < 1)
    }

    @Test("with noise, the model noise multiplier is raised to pay for the noised count (Andrew et al.)")
    func adaptiveNoiseSplit() throws {
        let clipping = try AdaptiveClipping(configuration: .init(noiseMultiplier: 1.0, numSampledClients: 100))
        #expect(clipping.clippedCountStddev == 5)
        // 1/z² = 1/z_Δ² + 1/(2σ_b)²
        #expect(abs(1 / (clipping.modelNoiseMultiplier * clipping.modelNoiseMultiplier) + 1.0 / 100 - 1) < 1e-12)
    }

    @Test("ε grows with rounds, shrinks with noise, and q = 1 is the plain Gaussian mechanism")
    func accountantShape() throws {
        var previous = 0.0
        var accountant = try RenyiAccountant()
        for _ in 0..<20 {
            try accountant.compose(samplingRate: 0.05, noiseMultiplier: 1.0)
            let epsilon = try accountant.epsilon(delta: 1e-5).epsilon
            #expect(epsilon > previous)
            previous = epsilon
        }
        var noisier = try RenyiAccountant()
        try noisier.compose(samplingRate: 0.05, noiseMultiplier: 2.0, steps: 20)
        #expect(try noisier.epsilon(delta: 1e-5).epsilon < previous)
        // q = 1: RDP(α) = α/(2σ²) exactly, composed k times.
        let sigma = 1.7
        var full = try RenyiAccountant(orders: [2, 8, 32.5])
        try full.compose(samplingRate: 1, noiseMultiplier: sigma, steps: 3)
        #expect(full.rdp == [2, 8, 32.5].map { 3 * $0 / (2 * sigma * sigma) })
        // Subsampling only helps.
        let subsampled = RenyiAccountant.rdp(samplingRate: 0.1, noiseMultiplier: sigma, orders: [2, 8, 32.5])
        #expect(zip(subsampled, [2, 8, 32.5].map { $0 / (2 * sigma * sigma) }).allSatisfy { $0 < $1 })
        #expect(throws: PrivacyError.self) { try full.compose(samplingRate: 1.5, noiseMultiplier: 1) }
    }
}
