/// Arithmetic in GF(p), p = 2^61 − 1 (a Mersenne prime), for Shamir sharing.
///
/// Reduction uses 2^61 ≡ 1 (mod p): shifts, masks and adds, no division and no tables, so the
/// running time does not depend on secret values except for one final conditional subtraction.
enum PrimeField {
    static let modulus: UInt64 = (1 << 61) - 1

    /// Reduces any value below 2^63 to [0, p).
    @inline(__always)
    static func reduce(_ value: UInt64) -> UInt64 {
        let folded = (value & modulus) + (value >> 61)
        return folded >= modulus ? folded - modulus : folded
    }

    @inline(__always)
    static func add(_ a: UInt64, _ b: UInt64) -> UInt64 { reduce(a + b) }

    @inline(__always)
    static func subtract(_ a: UInt64, _ b: UInt64) -> UInt64 { reduce(a + (modulus - b)) }

    /// a·b mod p for a, b < p: the 122-bit product is hi·2^64 + lo, and 2^64 ≡ 8.
    @inline(__always)
    static func multiply(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (high, low) = a.multipliedFullWidth(by: b)
        return reduce((low & modulus) + (low >> 61) + (high << 3))
    }

    static func power(_ base: UInt64, _ exponent: UInt64) -> UInt64 {
        var result: UInt64 = 1
        var base = base
        var exponent = exponent
        while exponent > 0 {
            if exponent & 1 == 1 { result = multiply(result, base) }
            base = multiply(base, base)
            exponent >>= 1
        }
        return result
    }

    /// The multiplicative inverse of a non-zero element (Fermat: a^(p−2)).
    static func inverse(_ value: UInt64) -> UInt64 {
        precondition(value != 0, "zero has no inverse")
        return power(value, modulus - 2)
    }

    /// A uniform element from a cryptographic generator (rejection of the one value ≥ p).
    static func random(using generator: inout some RandomNumberGenerator) -> UInt64 {
        while true {
            let candidate = generator.next() & modulus
            if candidate < modulus { return candidate }
        }
    }
}
