/// xoshiro256** 1.0 (Blackman and Vigna): the one source of randomness of the pure cores
/// (initial weights, shuffles, synthetic data, NSGA-II), so that a seed fully determines every
/// result. `SystemRandomNumberGenerator` is never used where results must be reproducible.
///
/// Bounded integers and doubles are derived here rather than through the standard library's
/// `random(in:using:)`, whose algorithm is not promised to stay the same across releases.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Hashable, Codable {
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the state from SplitMix64, so nearby seeds give unrelated streams.
    public init(seed: UInt64) {
        var mixer = SplitMix64(seed: seed)
        state = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
    }

    /// Sets the raw state (must not be all zero); for reproducing reference vectors.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "xoshiro256** state must not be all zero")
        self.state = state
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    /// Uniform in 0..<bound (bound > 0), without modulo bias (Lemire's multiply-and-reject).
    public mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let limit = UInt64(bound)
        var product = next().multipliedFullWidth(by: limit)
        if product.low < limit {
            let threshold = (0 &- limit) % limit
            while product.low < threshold {
                product = next().multipliedFullWidth(by: limit)
            }
        }
        return Int(product.high)
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in `range` (half-open).
    public mutating func nextDouble(in range: Range<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * nextUnitDouble()
    }

    /// Standard normal deviate (Marsaglia's polar method: no trigonometry needed).
    public mutating func nextGaussian() -> Double {
        while true {
            let u = 2 * nextUnitDouble() - 1
            let v = 2 * nextUnitDouble() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 { return u * (-2 * naturalLog(s) / s).squareRoot() }
        }
    }

    /// Fisher–Yates shuffle driven by ``next(below:)``.
    public mutating func shuffle<T>(_ values: inout [T]) {
        guard values.count > 1 else { return }
        for index in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(index, next(below: index + 1))
        }
    }

    private func rotateLeft(_ value: UInt64, _ amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.state == rhs.state }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(state.0)
        hasher.combine(state.1)
        hasher.combine(state.2)
        hasher.combine(state.3)
    }

    // Tuples are not Codable; the state is four words in order.
    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        state = (try container.decode(UInt64.self), try container.decode(UInt64.self), try container.decode(UInt64.self), try container.decode(UInt64.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(state.0); try container.encode(state.1); try container.encode(state.2); try container.encode(state.3)
    }
}

#if canImport(Glibc)
import Glibc
private func naturalLog(_ value: Double) -> Double { Glibc.log(value) }
#else
import Darwin
private func naturalLog(_ value: Double) -> Double { Darwin.log(value) }
#endif
