#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Rényi-DP accountant for the Poisson-subsampled Gaussian mechanism (Mironov, Talwar, Zhang,
/// "Rényi Differential Privacy of the Sampled Gaussian Mechanism", 2019), following Google's
/// `dp-accounting` 0.6.0 `RdpAccountant` (add-or-remove-one neighbours) formula for formula, so
/// its ε can be compared with that library's (see PrivacyFixtureTests):
///
///     RDP(α) per round = log A_α / (α − 1)             q < 1
///                      = α / (2σ²)                     q = 1   (plain Gaussian)
///     A_α, integer α:    Σ_{i=0..α} C(α, i) qⁱ (1 − q)^(α−i) exp((i² − i) / (2σ²))
///     A_α, fractional α: the two-sided series of Mironov et al. §3.3, summed until both halves
///                        decrease and are 30 nats below the total, at most 1000 terms (else
///                        the order is dropped: RDP = ∞, as `dp-accounting` does)
///     RDP composes by addition over rounds;
///     ε(δ) = min_α  RDP(α) + log(1 − 1/α) − log(δ·α) / (α − 1)    (α > 1.01; Canonne, Kamath,
///                   Steinke 2020 / Asoodeh et al. — `dp-accounting`'s `compute_epsilon`)
///
/// The state (orders and the RDP accumulated at each) is Codable; infinite RDP is stored as null.
public struct RenyiAccountant: Sendable, Equatable, Codable {
    /// `dp-accounting`'s default orders: 1.1, 1.2, …, 10.9, 11, …, 63, 128, 256, 512, 1024.
    public static let defaultOrders: [Double] = (1..<100).map { 1 + Double($0) / 10 } + (11..<64).map(Double.init) + [128, 256, 512, 1024]

    public let orders: [Double]
    /// RDP accumulated so far at each order.
    public private(set) var rdp: [Double]
    /// Rounds composed so far.
    public private(set) var rounds: Int = 0

    public init(orders: [Double] = RenyiAccountant.defaultOrders) throws(PrivacyError) {
        guard !orders.isEmpty, orders.allSatisfy({ $0 > 1 && $0.isFinite }) else {
            throw .invalidConfiguration("RDP orders must be finite and > 1")
        }
        self.orders = orders
        self.rdp = [Double](repeating: 0, count: orders.count)
    }

    /// Adds `steps` rounds of the Gaussian mechanism with noise multiplier σ (noise stddev over
    /// L2 sensitivity), each applied to a Poisson sample of rate q.
    public mutating func compose(samplingRate q: Double, noiseMultiplier sigma: Double, steps: Int = 1) throws(PrivacyError) {
        guard (0...1).contains(q) else { throw .invalidConfiguration("sampling rate must be in [0, 1], not \(q)") }
        guard sigma >= 0, !sigma.isNaN else { throw .invalidConfiguration("noise multiplier must be ≥ 0, not \(sigma)") }
        guard steps >= 0 else { throw .invalidConfiguration("steps must be ≥ 0, not \(steps)") }
        let perRound = Self.rdp(samplingRate: q, noiseMultiplier: sigma, orders: orders)
        for index in rdp.indices { rdp[index] += perRound[index] * Double(steps) }
        rounds += steps
    }

    /// The smallest ε for which the rounds so far are (ε, δ)-DP, and the order that gives it.
    public func epsilon(delta: Double) throws(PrivacyError) -> (epsilon: Double, order: Double) {
        guard delta >= 0 else { throw .invalidConfiguration("delta must be ≥ 0, not \(delta)") }
        return Self.epsilon(orders: orders, rdp: rdp, delta: delta)
    }

    // MARK: The formulas

    /// RDP at each order of one round of the Poisson-subsampled Gaussian mechanism.
    public static func rdp(samplingRate q: Double, noiseMultiplier sigma: Double, orders: [Double]) -> [Double] {
        orders.map { alpha in
            if q == 0 { return 0 }
            if alpha.isInfinite || sigma == 0 { return .infinity }
            if q == 1 { return alpha / (2 * sigma * sigma) }
            let logA = alpha.rounded() == alpha ? logAInteger(q, sigma, Int(alpha)) : logAFractional(q, sigma, alpha)
            return logA / (alpha - 1)
        }
    }

    /// `dp-accounting`'s `compute_epsilon`.
    static func epsilon(orders: [Double], rdp: [Double], delta: Double) -> (epsilon: Double, order: Double) {
        if delta == 0 { return rdp.allSatisfy { $0 == 0 } ? (0, 0) : (.infinity, 0) }
        var best = (epsilon: Double.infinity, order: orders[0])
        for (alpha, r) in zip(orders, rdp) {
            let epsilon: Double
            if r < 0 {
                epsilon = 0
            } else if delta * delta + expm1(-r) > 0 {
                epsilon = 0
            } else if alpha > 1.01 {
                epsilon = r + log1p(-1 / alpha) - log(delta * alpha) / (alpha - 1)
            } else {
                epsilon = .infinity
            }
            if epsilon < best.epsilon { best = (epsilon, alpha) }  // np.argmin: the first minimum
        }
        return (max(0, best.epsilon), best.order)
    }

    static func logAInteger(_ q: Double, _ sigma: Double, _ alpha: Int) -> Double {
        var logA = -Double.infinity
        let logQ = log(q)
        let log1mq = log1p(-q)
        for i in 0...alpha {
            let coefficient = logCombination(Double(alpha), Double(i)) + Double(i) * logQ + Double(alpha - i) * log1mq
            logA = logAdd(logA, coefficient + Double(i * i - i) / (2 * sigma * sigma))
        }
        return logA
    }

    static func logAFractional(_ q: Double, _ sigma: Double, _ alpha: Double) -> Double {
        var logA0 = -Double.infinity
        var logA1 = -Double.infinity
        let z0 = sigma * sigma * log(1 / q - 1) + 0.5
        let logQ = log(q)
        let log1mq = log1p(-q)
        var lastS0 = -Double.infinity
        var lastS1 = -Double.infinity
        for step in 0..<1000 {
            let i = Double(step)
            let coefficient = logCombination(alpha, i)
            let j = alpha - i
            let logT0 = coefficient + i * logQ + j * log1mq
            let logT1 = coefficient + j * logQ + i * log1mq
            let logE0 = log(0.5) + logErfc((i - z0) / (2.0.squareRoot() * sigma))
            let logE1 = log(0.5) + logErfc((z0 - j) / (2.0.squareRoot() * sigma))
            let logS0 = logT0 + (i * i - i) / (2 * sigma * sigma) + logE0
            let logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1
            logA0 = logAdd(logA0, logS0)
            logA1 = logAdd(logA1, logS1)
            let total = logAdd(logA0, logA1)
            if logS0 < lastS0 && logS1 < lastS1 && max(logS0, logS1) < total - 30 { return total }
            lastS0 = logS0
            lastS1 = logS1
        }
        return .infinity
    }

    static func logAdd(_ x: Double, _ y: Double) -> Double {
        let (a, b) = (min(x, y), max(x, y))
        if a == -.infinity { return b }
        return log1p(exp(a - b)) + b
    }

    /// log C(n, k) for real n, k (via log-gamma; `scipy.special.gammaln` in the reference).
    static func logCombination(_ n: Double, _ k: Double) -> Double {
        logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1)
    }

    /// log |Γ(x)|, reentrant (glibc's `lgamma` writes a global sign).
    static func logGamma(_ x: Double) -> Double {
        var sign: Int32 = 0
        return lgamma_r(x, &sign)
    }

    /// log(erfc(x)), accurate where erfc underflows: the asymptotic series `dp-accounting` falls
    /// back on, used once erfc(x) drops below 1e-300 (x > 26, where its next term is < 1e-12).
    static func logErfc(_ x: Double) -> Double {
        let r = erfc(x)
        if r > 1e-300 { return log(r) }
        return -log(Double.pi) / 2 - log(x) - x * x - 0.5 * pow(x, -2) + 0.625 * pow(x, -4) - 37.0 / 24.0 * pow(x, -6) + 353.0 / 64.0 * pow(x, -8)
    }

    // MARK: Codable (JSON has no infinity)

    private enum CodingKeys: String, CodingKey { case orders, rdp, rounds }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        orders = try container.decode([Double].self, forKey: .orders)
        rdp = try container.decode([Double?].self, forKey: .rdp).map { $0 ?? .infinity }
        rounds = try container.decode(Int.self, forKey: .rounds)
        guard orders.count == rdp.count else {
            throw DecodingError.dataCorruptedError(forKey: .rdp, in: container, debugDescription: "one RDP value per order")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(orders, forKey: .orders)
        try container.encode(rdp.map { $0.isFinite ? $0 : nil }, forKey: .rdp)
        try container.encode(rounds, forKey: .rounds)
    }
}
