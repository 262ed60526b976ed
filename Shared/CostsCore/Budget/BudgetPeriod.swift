/// How often a budget starts again. Periods are UTC calendar periods.
public enum BudgetPeriod: String, Sendable, Hashable, Codable, CaseIterable {
    case daily
    /// ISO weeks, Monday to Sunday.
    case weekly
    /// Calendar months (the default: clouds bill by month).
    case monthly

    /// The period that contains `day`.
    public func window(containing day: UTCDay) -> BudgetWindow {
        switch self {
        case .daily:
            return BudgetWindow(period: self, start: day, end: day.advanced(by: 1))
        case .weekly:
            let start = day.advanced(by: -Int64(day.weekday - 1))
            return BudgetWindow(period: self, start: start, end: start.advanced(by: 7))
        case .monthly:
            let (year, month, _) = day.civil
            let start = UTCDay(year: year, month: month, day: 1)
            let end = month == 12 ? UTCDay(year: year + 1, month: 1, day: 1) : UTCDay(year: year, month: month + 1, day: 1)
            return BudgetWindow(period: self, start: start, end: end)
        }
    }
}

/// One concrete budget period: days `start..<end`.
public struct BudgetWindow: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var period: BudgetPeriod
    public var start: UTCDay
    public var end: UTCDay

    public init(period: BudgetPeriod, start: UTCDay, end: UTCDay) {
        self.period = period
        self.start = start
        self.end = end
    }

    public func contains(_ day: UTCDay) -> Bool { start <= day && day < end }

    public static func < (lhs: BudgetWindow, rhs: BudgetWindow) -> Bool { (lhs.start, lhs.end) < (rhs.start, rhs.end) }

    /// "2025-03" for a month, else "2025-03-03..<2025-03-10".
    public var description: String {
        if period == .monthly { return String(start.description.prefix(7)) }
        if period == .daily { return start.description }
        return "\(start)..<\(end)"
    }
}
