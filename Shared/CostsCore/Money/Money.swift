/// An exact amount of US dollars, held as a whole number of nano-dollars (10⁻⁹ USD) in an
/// `Int64`.
///
/// Why whole nano-dollars and not `Double`, `Foundation.Decimal` or micro-dollars:
/// - `Double` cannot hold 0.1 exactly, and its sums depend on order; a rollup must give the same
///   cents whatever order the events arrived in. Integer addition is exact, associative and
///   commutative, so every rollup, budget and replay agrees to the last nano-dollar.
/// - `Decimal` would do, but pulls Foundation into a core that (like PlacementCore) avoids it,
///   its `Double` initialiser is not exact, and it stores as a string or `NUMERIC`; an integer
///   stores as PostgreSQL `BIGINT` and travels through JSON without loss.
/// - Micro-dollars are too coarse for per-event rounding: a 1 kB update at $0.02/GB costs
///   $0.00000002, which would round to zero, event after event. A nano-dollar is below the
///   value of one millisecond of the cheapest instance or one byte at any egress price we know
///   of (both ~10⁻¹¹ USD), and catalogue prices have at most 7 decimals, so every catalogue
///   price is exact as a ``PriceRate``.
/// - Range: ±9.2 × 10⁹ USD, ample for one federation's bills; pricing refuses a line item that
///   would not fit (``UnpriceableReason/amountTooLarge``) rather than wrap.
///
/// Every amount is rounded once, half to even, from an exact product (see ``PriceRate``).
/// Codable as a bare integer of nano-dollars.
public struct Money: Sendable, Hashable, Comparable, Codable, AdditiveArithmetic, CustomStringConvertible {
    public static let nanoDollarsPerDollar: Int64 = 1_000_000_000

    public var nanoDollars: Int64

    public init(nanoDollars: Int64) {
        self.nanoDollars = nanoDollars
    }

    public static let zero = Money(nanoDollars: 0)

    /// Whole dollars and cents, for budgets and tests: `Money(dollars: 12, cents: 50)` = $12.50.
    public init(dollars: Int64, cents: Int64 = 0) {
        self.init(nanoDollars: dollars * Self.nanoDollarsPerDollar + cents * 10_000_000)
    }

    /// Parses a plain decimal number of dollars ("12.5", "0.000000001", "-3"), exactly; nil
    /// when the text is not such a number or has more than 9 decimals (finer than a nano-dollar).
    public init?(dollars text: some StringProtocol) {
        guard let nanos = DecimalText.scaled(text, decimals: 9) else { return nil }
        self.init(nanoDollars: nanos)
    }

    /// The nearest nano-dollar to a `Double` amount (half to even); nil when not finite or out
    /// of range. For modelled estimates only: billed amounts never pass through `Double`.
    public init?(approximately usd: Double) {
        guard usd.isFinite else { return nil }
        let scaled = (usd * Double(Self.nanoDollarsPerDollar)).rounded(.toNearestOrEven)
        guard scaled.magnitude < 9.2e18 else { return nil }
        self.init(nanoDollars: Int64(scaled))
    }

    public init(from decoder: any Decoder) throws {
        nanoDollars = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(nanoDollars)
    }

    public static func + (lhs: Money, rhs: Money) -> Money {
        Money(nanoDollars: lhs.nanoDollars + rhs.nanoDollars)
    }

    public static func - (lhs: Money, rhs: Money) -> Money {
        Money(nanoDollars: lhs.nanoDollars - rhs.nanoDollars)
    }

    public static func < (lhs: Money, rhs: Money) -> Bool {
        lhs.nanoDollars < rhs.nanoDollars
    }

    /// Only as an approximation for display and charts (gauges): never sum these.
    public var approximateDollars: Double {
        Double(nanoDollars) / Double(Self.nanoDollarsPerDollar)
    }

    /// Share of `whole` in whole percent, rounded half to even; 0 when `whole` is zero.
    public func percent(of whole: Money) -> Int64 {
        guard whole.nanoDollars != 0 else { return 0 }
        return Int64(Rounding.divide(Int128(nanoDollars) * 100, by: Int128(whole.nanoDollars)))
    }

    /// "$12.35": rounded half to even to `fractionDigits` (0...9) decimals.
    public func formatted(fractionDigits: Int = 2) -> String {
        precondition((0...9).contains(fractionDigits), "fractionDigits must be in 0...9")
        var unit: Int64 = 1
        for _ in 0..<(9 - fractionDigits) { unit *= 10 }
        let rounded = Rounding.divide(Int128(nanoDollars), by: Int128(unit))
        let sign = rounded < 0 ? "-" : ""
        let magnitude = rounded.magnitude
        var scale: UInt128 = 1
        for _ in 0..<fractionDigits { scale *= 10 }
        let whole = magnitude / scale
        guard fractionDigits > 0 else { return "\(sign)$\(whole)" }
        let fraction = String(magnitude % scale)
        return "\(sign)$\(whole)." + String(repeating: "0", count: fractionDigits - fraction.count) + fraction
    }

    /// Full precision, at least cents: "$0.0416", "$12.00", "$0.000000001".
    public var description: String {
        var text = formatted(fractionDigits: 9)
        while text.hasSuffix("0"), let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) > 3 {
            text.removeLast()
        }
        return text
    }
}

extension Sequence where Element == Money {
    /// Exact sum (order does not matter).
    public func sum() -> Money { reduce(.zero, +) }
}
