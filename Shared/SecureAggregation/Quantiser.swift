/// How a scaled value becomes an integer.
public enum RoundingMode: String, Codable, Sendable, Hashable {
    /// Round half away from zero: deterministic, error ≤ step/2 per value.
    case nearest
    /// Round up with probability equal to the fractional part: unbiased (E[q] = x), error < step.
    case stochastic
}

/// Float updates ↔ integers modulo 2^32.
///
/// A value is clipped to [−c, c] (c = `clippingBound`; clipping is silent and is the caller's
/// contract — a differentially private pipeline clips earlier anyway), scaled by L / c with
/// L = ⌊(2^31 − 1) / maxContributors⌋, rounded, and stored as the two's-complement bit pattern of
/// an `Int32`. Each quantised value lies in [−L, L], so the sum of up to `maxContributors` of
/// them lies in [−(2^31 − 1), 2^31 − 1]: read as `Int32` the mod-2^32 sum is the exact integer
/// sum, whoever dropped. The step is c / L; a sum of m values is off by at most m·step
/// (stochastic) or m·step/2 (nearest), plus Float rounding of the result.
public struct Quantiser: Sendable, Hashable {
    public let clippingBound: Float
    public let rounding: RoundingMode
    /// L: the largest quantised magnitude.
    public let levels: UInt32

    public init(clippingBound: Float, rounding: RoundingMode, maxContributors: Int) {
        precondition(clippingBound.isFinite && clippingBound > 0, "clipping bound must be positive and finite")
        precondition(maxContributors >= 1, "at least one contributor")
        self.clippingBound = clippingBound
        self.rounding = rounding
        levels = UInt32(Int(Int32.max) / maxContributors)
    }

    /// The value of one quantisation step, c / L.
    public var step: Double { Double(clippingBound) / Double(levels) }

    /// Quantises `update`; `generator` drives stochastic rounding (it is unused for `.nearest`).
    /// The rounding noise is not secret — masks are what hide the update — so any seeded
    /// generator will do, and a seed makes the result reproducible.
    public func quantise(_ update: [Float], using generator: inout some RandomNumberGenerator) throws(SecAggError) -> [UInt32] {
        let scale = Double(levels) / Double(clippingBound)
        let limit = Double(levels)
        var out = [UInt32](repeating: 0, count: update.count)
        for index in update.indices {
            let value = update[index]
            guard value.isFinite else { throw .nonFiniteUpdate(index: index) }
            let scaled = min(max(Double(value) * scale, -limit), limit)
            let rounded: Double
            switch rounding {
            case .nearest:
                rounded = scaled.rounded(.toNearestOrAwayFromZero)
            case .stochastic:
                let floor = scaled.rounded(.down)
                let uniform = Double(generator.next() >> 11) * 0x1.0p-53
                rounded = min(uniform < scaled - floor ? floor + 1 : floor, limit)
            }
            out[index] = UInt32(bitPattern: Int32(rounded))
        }
        return out
    }

    /// The Float value of a (sum of) quantised value(s): the Int32 reading times the step.
    public func dequantise(_ values: [UInt32]) -> [Float] {
        let step = self.step
        return values.map { Float(Double(Int32(bitPattern: $0)) * step) }
    }
}
