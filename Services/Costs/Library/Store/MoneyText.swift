import CostsCore

/// How amounts are written in API answers and stream fields: decimal dollars without the sign,
/// full precision, at least cents ("0.0416", "12.00").
enum MoneyText {
    static func usd(_ nanoDollars: Int64) -> String {
        let text = Money(nanoDollars: nanoDollars).description
        return text.replacingOccurrences(of: "$", with: "")
    }

    static func usd(_ money: Money) -> String { usd(money.nanoDollars) }

    /// An hourly Double price as the catalogue stores it, written exactly to the nano-dollar.
    static func hourly(_ usd: Double) -> (text: String, nanoDollars: Int64) {
        let nanos = PriceRate(usd: usd, per: .hour)?.nanoDollarsPerUnit ?? 0
        return (self.usd(nanos), nanos)
    }
}
