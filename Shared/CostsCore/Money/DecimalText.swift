/// Exact parsing of plain decimal text ("-12.345") into a scaled integer.
enum DecimalText {
    /// `text` × 10^decimals as an integer, or nil when the text is not a plain decimal number,
    /// has more than `decimals` decimals, or does not fit an `Int64`.
    static func scaled(_ text: some StringProtocol, decimals: Int) -> Int64? {
        var digits = Substring(text)
        var negative = false
        if digits.first == "-" || digits.first == "+" {
            negative = digits.first == "-"
            digits = digits.dropFirst()
        }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let wholePart = parts.first else { return nil }
        let fractionPart = parts.count == 2 ? parts[1] : ""
        guard !(wholePart.isEmpty && fractionPart.isEmpty), fractionPart.count <= decimals,
              (wholePart + fractionPart).allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        var value: Int64 = 0
        let padded = wholePart + fractionPart + String(repeating: "0", count: decimals - fractionPart.count)
        for character in padded {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (plus, overflow2) = times.addingReportingOverflow(Int64(character.asciiValue! - 48))
            guard !overflow1, !overflow2 else { return nil }
            value = plus
        }
        return negative ? -value : value
    }
}
