/// Bit-level conversions between `Float` and the two 16-bit formats safetensors carries.
///
/// Written by hand rather than with `Float16` because `Float16` is unavailable on x86 macOS and
/// because the exact rounding and NaN rules must match the writers we exchange files with:
/// F16 follows NumPy (round to nearest even, NaN payload kept), BF16 follows PyTorch's
/// `c10::BFloat16` (round to nearest even, every NaN becomes the canonical 0x7FC0).
enum HalfPrecision {
    /// IEEE binary16 bits → Float (exact).
    @inline(__always)
    static func float(fromFloat16 bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x03FF)
        if exponent == 0x1F {
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        if exponent == 0 {
            // Zero or subnormal: value = mantissa × 2^-24, exactly representable in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }

    /// Float → IEEE binary16 bits, rounding to nearest even; overflow gives ±infinity.
    @inline(__always)
    static func float16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        var mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF {
            if mantissa == 0 { return sign | 0x7C00 }
            // NaN: keep the top payload bits (as NumPy does) but never turn into infinity.
            let payload = UInt16(mantissa >> 13)
            return sign | 0x7C00 | (payload == 0 ? 1 : payload)
        }
        let halfExponent = exponent - 127 + 15
        if halfExponent >= 0x1F { return sign | 0x7C00 }
        if halfExponent <= 0 {
            // Result is subnormal (or zero): shift the mantissa with its implicit bit into place.
            if halfExponent < -10 { return sign }
            mantissa |= 0x80_0000
            let shift = UInt32(14 - halfExponent)
            var half = mantissa >> shift
            let remainder = mantissa & ((1 << shift) - 1)
            let halfway = UInt32(1) << (shift - 1)
            if remainder > halfway || (remainder == halfway && half & 1 == 1) { half += 1 }
            return sign | UInt16(half)
        }
        var half = UInt32(halfExponent << 10) | (mantissa >> 13)
        let remainder = mantissa & 0x1FFF
        // A carry out of the mantissa correctly bumps the exponent (up to infinity).
        if remainder > 0x1000 || (remainder == 0x1000 && half & 1 == 1) { half += 1 }
        return sign | UInt16(half)
    }

    /// bfloat16 bits → Float (exact).
    @inline(__always)
    static func float(fromBFloat16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// Float → bfloat16 bits, rounding to nearest even like PyTorch.
    @inline(__always)
    static func bfloat16Bits(from value: Float) -> UInt16 {
        if value.isNaN { return 0x7FC0 }
        let bits = value.bitPattern
        let roundingBias = ((bits >> 16) & 1) + 0x7FFF
        return UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
    }
}
