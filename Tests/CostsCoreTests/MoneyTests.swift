import Foundation
import PropertyBased
import Testing
@testable import CostsCore

@Suite struct MoneyTests {
    @Test func roundingIsHalfToEven() {
        // 5 / 2 = 2.5 → 2 (even); 7 / 2 = 3.5 → 4 (even); 7 / 3 = 2.33 → 2; 8 / 3 = 2.67 → 3.
        #expect(Rounding.divide(5, by: 2) == 2)
        #expect(Rounding.divide(7, by: 2) == 4)
        #expect(Rounding.divide(7, by: 3) == 2)
        #expect(Rounding.divide(8, by: 3) == 3)
        // Negative: −2.5 → −2, −3.5 → −4, −2.33 → −2.
        #expect(Rounding.divide(-5, by: 2) == -2)
        #expect(Rounding.divide(-7, by: 2) == -4)
        #expect(Rounding.divide(-7, by: 3) == -2)
    }

    @Test func roundingIsWithinHalfAUnit() async {
        await propertyCheck(count: 300, input: Gen.int64(in: -1_000_000...1_000_000), Gen.int64(in: 1...10_000)) { n, d in
            let q = Rounding.divide(Int128(n), by: Int128(d))
            // |q·d − n| ≤ d/2, i.e. 2|q·d − n| ≤ d.
            let error = (q * Int128(d) - Int128(n)).magnitude * 2
            #expect(error <= UInt128(d))
        }
    }

    @Test func ratesRecoverThePriceListDecimals() {
        // 0.0416 $/h → 41,600,000 n$/h; 4.83525 → 4,835,250,000; 0.0000001 → 100.
        #expect(PriceRate(usd: 0.0416, per: .hour)?.nanoDollarsPerUnit == 41_600_000)
        #expect(PriceRate(usd: 4.83525, per: .hour)?.nanoDollarsPerUnit == 4_835_250_000)
        #expect(PriceRate(usd: 0.0000001, per: .gigabyte)?.nanoDollarsPerUnit == 100)
        #expect(PriceRate(usd: -0.1, per: .hour) == nil)
        #expect(PriceRate(usd: .nan, per: .hour) == nil)
        #expect(PriceRate(usd: .infinity, per: .hour) == nil)
    }

    @Test func rateAmountsRoundOnce() {
        // 5 n$/GB × 0.5 GB = 2.5 n$ → 2; × 1.5 GB = 7.5 n$ → 8.
        let tiny = PriceRate(nanoDollarsPerUnit: 5, unit: .gigabyte)
        #expect(tiny.amount(for: 500_000_000) == Money(nanoDollars: 2))
        #expect(tiny.amount(for: 1_500_000_000) == Money(nanoDollars: 8))
        // $0.096/h for one second: 96,000,000 n$ / 3,600 = 26,666.67 → 26,667 n$.
        #expect(PriceRate(usd: 0.096, per: .hour)?.amount(for: 1000) == Money(nanoDollars: 26_667))
        // The largest rate × the largest quantity does not fit Money: refused, not wrapped.
        #expect(PriceRate(nanoDollarsPerUnit: .max, unit: .hour).amount(for: .max) == nil)
    }

    @Test func formattingAndParsing() {
        #expect(Money(dollars: 12, cents: 5).description == "$12.05")
        #expect(Money(nanoDollars: 41_600_000).description == "$0.0416")
        #expect(Money(nanoDollars: 1).description == "$0.000000001")
        #expect(Money(nanoDollars: -1_500_000_000).description == "-$1.50")
        // $0.125 → $0.12 and $0.135 → $0.14 (half to even at the cent).
        #expect(Money(nanoDollars: 125_000_000).formatted() == "$0.12")
        #expect(Money(nanoDollars: 135_000_000).formatted() == "$0.14")
        #expect(Money(nanoDollars: 2_500_000_000).formatted(fractionDigits: 0) == "$2")
        #expect(Money(dollars: "12.345") == Money(nanoDollars: 12_345_000_000))
        #expect(Money(dollars: "-0.000000001") == Money(nanoDollars: -1))
        #expect(Money(dollars: "0.0000000001") == nil) // finer than a nano-dollar
        #expect(Money(dollars: "1e3") == nil)
        #expect(Money(dollars: "") == nil)
    }

    @Test func percentOfWhole() {
        // 62 / 100 → 62 %; 1 / 3 → 33 %; 2 / 3 → 67 %; of zero → 0.
        #expect(Money(dollars: 62).percent(of: Money(dollars: 100)) == 62)
        #expect(Money(dollars: 1).percent(of: Money(dollars: 3)) == 33)
        #expect(Money(dollars: 2).percent(of: Money(dollars: 3)) == 67)
        #expect(Money(dollars: 2).percent(of: .zero) == 0)
    }

    @Test func moneyIsABareIntegerInJSON() throws {
        let data = try JSONEncoder().encode(Money(nanoDollars: 1_234))
        #expect(String(decoding: data, as: UTF8.self) == "1234")
        #expect(try JSONDecoder().decode(Money.self, from: data) == Money(nanoDollars: 1_234))
    }
}
