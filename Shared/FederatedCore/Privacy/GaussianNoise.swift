#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Gaussian noise for the DP mechanisms: `add(to:standardDeviation:using:)` adds independent
/// N(0, σ²) to every element, as Flower's `add_gaussian_noise_inplace` (float64 draws, rounded to
/// the model's float32).
///
/// The generator is injected. The privacy guarantee assumes noise an adversary cannot predict:
/// production callers must pass a generator seeded from a cryptographic source (a fresh
/// `SystemRandomNumberGenerator` seed per round at least); tests pass a fixed seed. (Float32
/// rounding of the noised values is the same floating-point caveat Flower and Opacus carry.)
public enum GaussianNoise {
    /// Standard normal deviate from any generator (Marsaglia's polar method, 53-bit uniforms).
    public static func standardNormal(using generator: inout some RandomNumberGenerator) -> Double {
        while true {
            let u = 2 * unit(&generator) - 1
            let v = 2 * unit(&generator) - 1
            let s = u * u + v * v
            if s > 0 && s < 1 { return u * (-2 * log(s) / s).squareRoot() }
        }
    }

    /// Adds N(0, σ²) to every element of an F32 model (other dtypes are converted to F32).
    public static func add(to model: TensorCollection, standardDeviation: Double, using generator: inout some RandomNumberGenerator) -> TensorCollection {
        var result = model.converted(to: .float32)
        guard standardDeviation > 0 else { return result }
        for name in model.names {
            _ = result.modify(name) { tensor in
                tensor.withUnsafeMutableFloat32Buffer { values in
                    for index in values.indices {
                        values[index] = Float(Double(values[index]) + standardDeviation * standardNormal(using: &generator))
                    }
                }
            }
        }
        return result
    }

    private static func unit(_ generator: inout some RandomNumberGenerator) -> Double {
        Double(generator.next() >> 11) * 0x1.0p-53
    }
}
