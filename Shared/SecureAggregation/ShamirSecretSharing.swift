/// One holder's share of a 32-byte secret: the point x (the holder's roster position + 1) and
/// the polynomial values at x, one per 56-bit chunk of the secret, in GF(2^61 − 1).
public struct ShamirShare: Codable, Sendable, Hashable {
    public var x: UInt64
    public var values: [UInt64]

    public init(x: UInt64, values: [UInt64]) {
        self.x = x
        self.values = values
    }

    /// Fixed-size encoding: x then each value, 8 bytes little-endian each.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(8 * (1 + values.count))
        for word in [x] + values { withUnsafeBytes(of: word.littleEndian) { out.append(contentsOf: $0) } }
        return out
    }

    init?(bytes: some Collection<UInt8>) {
        let bytes = Array(bytes)
        guard bytes.count == 8 * (1 + ShamirSecretSharing.chunkCount) else { return nil }
        let words = stride(from: 0, to: bytes.count, by: 8).map { start in
            bytes[start..<start + 8].reversed().reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        }
        self.init(x: words[0], values: Array(words.dropFirst()))
        guard isWellFormed else { return nil }
    }

    /// x is a non-zero field element, and there is one field element per chunk.
    var isWellFormed: Bool {
        x != 0 && x < PrimeField.modulus && values.count == ShamirSecretSharing.chunkCount
            && values.allSatisfy { $0 < PrimeField.modulus }
    }
}

/// Threshold sharing of 32-byte secrets (Shamir 1979) over GF(2^61 − 1).
///
/// The secret is cut into five little-endian chunks of 7, 7, 7, 7 and 4 bytes (each < 2^56 < p);
/// each chunk is the constant term of its own random polynomial of degree t − 1, evaluated at
/// every holder's x. Any t shares give back the secret; t − 1 reveal nothing about it.
enum ShamirSecretSharing {
    static let secretLength = 32
    static let chunkBytes = 7
    static let chunkCount = (secretLength + chunkBytes - 1) / chunkBytes

    /// Splits `secret` (32 bytes) into one share per x in `points` (distinct, non-zero).
    /// `generator` must be cryptographically secure: the coefficients hide the secret.
    static func split(_ secret: [UInt8], threshold: Int, points: [UInt64],
                      using generator: inout some RandomNumberGenerator) -> [ShamirShare] {
        precondition(secret.count == secretLength, "Shamir secrets are \(secretLength) bytes")
        precondition(threshold >= 1 && threshold <= points.count, "threshold must be in 1...holders")
        precondition(Set(points).count == points.count && !points.contains(0), "points must be distinct and non-zero")
        let polynomials: [[UInt64]] = chunks(of: secret).map { constant in
            [constant] + (1..<threshold).map { _ in PrimeField.random(using: &generator) }
        }
        return points.map { x in
            ShamirShare(x: x, values: polynomials.map { evaluate($0, at: x) })
        }
    }

    /// The secret from the first `threshold` shares, or nil if the shares are malformed, repeat
    /// an x, or decode to a value that no 32-byte secret could have produced.
    static func reconstruct(_ shares: [ShamirShare], threshold: Int) -> [UInt8]? {
        guard threshold >= 1, shares.count >= threshold else { return nil }
        let used = Array(shares.prefix(threshold))
        guard used.allSatisfy(\.isWellFormed), Set(used.map(\.x)).count == used.count else { return nil }
        // Lagrange basis at 0: λ_i = Π_{j≠i} x_j / (x_j − x_i).
        let lambdas = used.indices.map { i in
            var numerator: UInt64 = 1
            var denominator: UInt64 = 1
            for j in used.indices where j != i {
                numerator = PrimeField.multiply(numerator, used[j].x)
                denominator = PrimeField.multiply(denominator, PrimeField.subtract(used[j].x, used[i].x))
            }
            return PrimeField.multiply(numerator, PrimeField.inverse(denominator))
        }
        var secret: [UInt8] = []
        secret.reserveCapacity(secretLength)
        for chunk in 0..<chunkCount {
            var value: UInt64 = 0
            for (share, lambda) in zip(used, lambdas) {
                value = PrimeField.add(value, PrimeField.multiply(share.values[chunk], lambda))
            }
            let width = min(chunkBytes, secretLength - chunk * chunkBytes)
            guard value >> UInt64(8 * width) == 0 else { return nil }
            for byte in 0..<width { secret.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * byte))) }
        }
        return secret
    }

    static func chunks(of secret: [UInt8]) -> [UInt64] {
        stride(from: 0, to: secretLength, by: chunkBytes).map { start in
            secret[start..<min(start + chunkBytes, secretLength)].reversed().reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        }
    }

    /// Horner evaluation of Σ coefficients[k]·x^k.
    static func evaluate(_ coefficients: [UInt64], at x: UInt64) -> UInt64 {
        coefficients.reversed().reduce(UInt64(0)) { PrimeField.add(PrimeField.multiply($0, x), $1) }
    }
}
