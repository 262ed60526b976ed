/// A budget threshold reached for the first time in a period: the service emits one event,
/// one audit entry and updates its gauge per crossing. Never returned twice for the same
/// (budget, window, threshold).
public struct ThresholdCrossing: Sendable, Hashable, Codable, CustomStringConvertible {
    public var budgetID: String
    public var federation: String
    public var window: BudgetWindow
    public var thresholdPercent: Int
    /// Spend in the window once the triggering event was counted.
    public var spent: Money
    public var limit: Money
    /// The event whose cost crossed it; nil when a budget change did.
    public var triggeringEventID: String?

    public var description: String {
        "budget \(budgetID) of \(federation): \(thresholdPercent) % reached in \(window) (\(spent.formatted()) of \(limit.formatted()))"
    }
}
