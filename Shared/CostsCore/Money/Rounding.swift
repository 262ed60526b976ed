/// The one rounding rule of the module: exact integer quotient, rounded half to even
/// (banker's rounding, so rounding errors do not drift one way over many line items).
enum Rounding {
    /// `numerator / denominator` rounded half to even; `denominator` must be non-zero.
    static func divide(_ numerator: Int128, by denominator: Int128) -> Int128 {
        precondition(denominator != 0, "division by zero")
        let (n, d) = denominator < 0 ? (-numerator, -denominator) : (numerator, denominator)
        var quotient = n / d
        var remainder = n % d
        // Swift truncates toward zero; move to floor so the remainder is in 0..<d.
        if remainder < 0 {
            quotient -= 1
            remainder += d
        }
        let twice = remainder * 2
        if twice > d || (twice == d && quotient % 2 != 0) { quotient += 1 }
        return quotient
    }
}
