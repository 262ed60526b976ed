import PlacementCore

/// A unit price in whole nano-dollars per ``Unit`` (per hour of an instance, per GB moved).
///
/// Catalogue prices arrive as `Double` (PlacementCore parses them so); ``init(usd:)`` recovers
/// the decimal the price list wrote: for any price with at most 9 decimals and under
/// $9,000,000 per unit, `usd × 10⁹` is within 10⁻⁶ of a whole number, so rounding it gives the
/// written price exactly. The shared price lists have at most 7 decimals.
public struct PriceRate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public enum Unit: String, Sendable, Hashable, Codable {
        /// Priced per hour, applied to milliseconds (1 h = 3,600,000 ms).
        case hour
        /// Priced per GB, applied to bytes (1 GB = 10⁹ bytes, as the providers bill).
        case gigabyte

        /// How many quantity units (milliseconds, bytes) one priced unit holds.
        var quantityPerUnit: Int128 {
            switch self {
            case .hour: 3_600_000
            case .gigabyte: 1_000_000_000
            }
        }
    }

    public var nanoDollarsPerUnit: Int64
    public var unit: Unit

    public init(nanoDollarsPerUnit: Int64, unit: Unit) {
        self.nanoDollarsPerUnit = nanoDollarsPerUnit
        self.unit = unit
    }

    /// nil for a price that is negative, not finite, or too large to hold.
    public init?(usd: Double, per unit: Unit) {
        guard usd.isFinite, usd >= 0, usd < 9_000_000 else { return nil }
        self.init(nanoDollarsPerUnit: Int64((usd * 1e9).rounded(.toNearestOrEven)), unit: unit)
    }

    /// The price of `quantity` (milliseconds for `.hour`, bytes for `.gigabyte`): the exact
    /// product rounded once, half to even, to a nano-dollar; nil when it does not fit ``Money``.
    /// Exact because the product of two `Int64`s always fits `Int128`.
    public func amount(for quantity: Int64) -> Money? {
        let exact = Rounding.divide(Int128(nanoDollarsPerUnit) * Int128(quantity), by: unit.quantityPerUnit)
        guard let nanos = Int64(exactly: exact) else { return nil }
        return Money(nanoDollars: nanos)
    }

    public static func < (lhs: PriceRate, rhs: PriceRate) -> Bool {
        (lhs.unit.rawValue, lhs.nanoDollarsPerUnit) < (rhs.unit.rawValue, rhs.nanoDollarsPerUnit)
    }

    public var description: String {
        "\(Money(nanoDollars: nanoDollarsPerUnit))/\(unit == .hour ? "h" : "GB")"
    }
}
