/// A spending limit for one federation per period, with alert thresholds in percent of it.
public struct Budget: Sendable, Hashable, Codable, Identifiable {
    public static let defaultThresholdPercents = [50, 80, 100]

    public var id: String
    public var federation: String
    public var limit: Money
    /// Ascending, distinct, each > 0 (above 100 is allowed: "tell me at 120 %").
    public private(set) var thresholdPercents: [Int]
    public var period: BudgetPeriod

    public init(
        id: String, federation: String, limit: Money, thresholdPercents: [Int] = Budget.defaultThresholdPercents,
        period: BudgetPeriod = .monthly
    ) throws(BudgetError) {
        guard limit > .zero else { throw .limitNotPositive(limit) }
        guard !thresholdPercents.isEmpty else { throw .noThresholds }
        if let bad = thresholdPercents.first(where: { $0 <= 0 }) { throw .thresholdNotPositive(bad) }
        self.id = id
        self.federation = federation
        self.limit = limit
        self.thresholdPercents = Array(Set(thresholdPercents)).sorted()
        self.period = period
    }

    /// Whether `spent` has reached `percent` % of the limit, compared exactly:
    /// spent × 100 ≥ limit × percent.
    public func reached(_ percent: Int, spent: Money) -> Bool {
        Int128(spent.nanoDollars) * 100 >= Int128(limit.nanoDollars) * Int128(percent)
    }
}

public enum BudgetError: Error, Sendable, Hashable, CustomStringConvertible {
    case limitNotPositive(Money)
    case noThresholds
    case thresholdNotPositive(Int)
    /// ``BudgetTracker/change(to:)`` was given another budget (id or federation differ).
    case differentBudget(id: String, federation: String)
    /// ``BudgetTracker/change(to:)`` cannot move the period boundaries of counted spend.
    case periodChanged(from: BudgetPeriod, to: BudgetPeriod)

    public var description: String {
        switch self {
        case let .limitNotPositive(limit): "a budget limit must be more than $0, got \(limit)"
        case .noThresholds: "a budget needs at least one threshold"
        case let .thresholdNotPositive(percent): "thresholds must be above 0 %, got \(percent) %"
        case let .differentBudget(id, federation): "budget \(id) of federation \(federation) is another budget"
        case let .periodChanged(from, to): "a budget's period cannot change from \(from) to \(to); create a new budget"
        }
    }
}
