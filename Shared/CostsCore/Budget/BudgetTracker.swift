/// The running state of one budget: spend per period, which thresholds have fired, which
/// events were counted. Pure and Codable, so the service can keep it in a row and update it
/// in the same transaction that stores the line items.
///
/// Guarantees, whatever order events arrive in and however often they are replayed:
/// - an event (by id) is counted once: a replay adds nothing and fires nothing;
/// - each threshold fires at most once per period, and it fires exactly when the period's
///   spend first reaches it. Costs are never negative, so spend only grows and "reached" is
///   final; a late event for an earlier period counts in, and fires for, that period.
/// So after any sequence containing the same events, the fired set is the same: threshold t
/// of period p fired ⇔ Σ costs of p's distinct events ≥ t % × limit.
public struct BudgetTracker: Sendable, Hashable, Codable {
    public struct WindowState: Sendable, Hashable, Codable {
        public var spent: Money = .zero
        public var firedPercents: Set<Int> = []
        public var countedEvents: Set<String> = []
    }

    public private(set) var budget: Budget
    public private(set) var windows: [BudgetWindow: WindowState] = [:]

    public init(budget: Budget) {
        self.budget = budget
    }

    /// Counts a priced event's line items for this budget's federation (others are ignored)
    /// and returns the thresholds it made newly reached, by period then percent.
    public mutating func record(_ usage: PricedUsage) -> [ThresholdCrossing] {
        let items = usage.lineItems.filter { $0.federation == budget.federation }
        var byWindow: [BudgetWindow: Money] = [:]
        for item in items {
            byWindow[budget.period.window(containing: item.day), default: .zero] += item.amount
        }
        // A replay: the event is already counted in a period it touches.
        if byWindow.keys.contains(where: { windows[$0]?.countedEvents.contains(usage.eventID) == true }) { return [] }
        var crossings: [ThresholdCrossing] = []
        for window in byWindow.keys.sorted() {
            var state = windows[window] ?? WindowState()
            state.countedEvents.insert(usage.eventID)
            state.spent += byWindow[window]!
            crossings += fire(window, &state, trigger: usage.eventID)
            windows[window] = state
        }
        return crossings
    }

    /// Unpriceable events cost nothing here (they are reported elsewhere).
    public mutating func record(_ outcome: PricingOutcome) -> [ThresholdCrossing] {
        outcome.priced.map { record($0) } ?? []
    }

    /// Replaces the limit, thresholds or period of the same budget and returns thresholds the
    /// change makes reached (a lowered limit can cross some at once). Thresholds that already
    /// fired in a period stay fired. The period cannot change (windows already counted would
    /// not fit the new one): make a new budget instead.
    public mutating func change(to newBudget: Budget) throws(BudgetError) -> [ThresholdCrossing] {
        guard newBudget.id == budget.id, newBudget.federation == budget.federation else {
            throw .differentBudget(id: newBudget.id, federation: newBudget.federation)
        }
        guard newBudget.period == budget.period else { throw .periodChanged(from: budget.period, to: newBudget.period) }
        budget = newBudget
        var crossings: [ThresholdCrossing] = []
        for window in windows.keys.sorted() {
            var state = windows[window]!
            crossings += fire(window, &state, trigger: nil)
            windows[window] = state
        }
        return crossings
    }

    /// Spend counted in the period containing `day` (zero when nothing was).
    public func spent(inWindowContaining day: UTCDay) -> Money {
        windows[budget.period.window(containing: day)]?.spent ?? .zero
    }

    /// Drops the state of periods that ended on or before `day`, to bound memory. Only safe
    /// once no replay of their events can arrive any more (after the stream's retention).
    public mutating func forgetWindows(endingOnOrBefore day: UTCDay) {
        windows = windows.filter { $0.key.end > day }
    }

    private func fire(_ window: BudgetWindow, _ state: inout WindowState, trigger: String?) -> [ThresholdCrossing] {
        var crossings: [ThresholdCrossing] = []
        for percent in budget.thresholdPercents where !state.firedPercents.contains(percent) {
            guard budget.reached(percent, spent: state.spent) else { continue }
            state.firedPercents.insert(percent)
            crossings.append(ThresholdCrossing(
                budgetID: budget.id, federation: budget.federation, window: window, thresholdPercent: percent,
                spent: state.spent, limit: budget.limit, triggeringEventID: trigger))
        }
        return crossings
    }
}
