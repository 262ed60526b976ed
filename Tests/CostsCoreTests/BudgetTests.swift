import Foundation
import PlacementCore
import PropertyBased
import Testing
@testable import CostsCore

@Suite struct BudgetTests {
    typealias F = Fixtures

    /// An event of `dollars` on `day` (one line item, as the pricer would make it).
    static func spend(_ id: String, _ nanoDollars: Int64, on day: UTCDay, federation: String = "fed-1") -> PricedUsage {
        PricedUsage(eventID: id, federation: federation, kind: .bytesMoved, lineItems: [
            PricedLineItem(id: .init(eventID: id, index: 0), federation: federation, organisation: nil,
                           component: .dataTransfer, region: F.usEast, day: day, quantity: 0,
                           rate: PriceRate(nanoDollarsPerUnit: 0, unit: .gigabyte), amount: Money(nanoDollars: nanoDollars),
                           instanceType: nil),
        ], substitution: nil)
    }

    static let march = UTCDay(year: 2025, month: 3, day: 10)
    static let april = UTCDay(year: 2025, month: 4, day: 2)
    static let dollar: Int64 = 1_000_000_000

    static func tenDollarBudget(_ thresholds: [Int] = Budget.defaultThresholdPercents) throws -> Budget {
        try Budget(id: "b1", federation: "fed-1", limit: Money(dollars: 10), thresholdPercents: thresholds)
    }

    @Test func eachThresholdFiresOnceAsSpendGrows() throws {
        var tracker = BudgetTracker(budget: try Self.tenDollarBudget())
        // $4 → 40 %: nothing. +$1 → $5 = 50 %: fires 50 (reaching counts). +$2.99 → 79.9 %: nothing.
        #expect(tracker.record(Self.spend("e1", 4 * Self.dollar, on: Self.march)).isEmpty)
        #expect(tracker.record(Self.spend("e2", 1 * Self.dollar, on: Self.march)).map(\.thresholdPercent) == [50])
        #expect(tracker.record(Self.spend("e3", 2_990_000_000, on: Self.march)).isEmpty)
        // +$0.01 → $8.00 = 80 %: fires 80, with the spend and the triggering event.
        let eighty = tracker.record(Self.spend("e4", 10_000_000, on: Self.march))
        #expect(eighty.map(\.thresholdPercent) == [80])
        #expect(eighty.first?.spent == Money(dollars: 8) && eighty.first?.triggeringEventID == "e4")
        #expect(eighty.first?.window.description == "2025-03")
        // +$5 → $13 = 130 %: fires 100 only; more spend fires nothing more.
        #expect(tracker.record(Self.spend("e5", 5 * Self.dollar, on: Self.march)).map(\.thresholdPercent) == [100])
        #expect(tracker.record(Self.spend("e6", 5 * Self.dollar, on: Self.march)).isEmpty)
        #expect(tracker.spent(inWindowContaining: Self.march) == Money(dollars: 18))
    }

    @Test func oneEventCanCrossSeveralThresholds() throws {
        var tracker = BudgetTracker(budget: try Self.tenDollarBudget())
        // $9 at once = 90 %: 50 and 80, in that order.
        #expect(tracker.record(Self.spend("big", 9 * Self.dollar, on: Self.march)).map(\.thresholdPercent) == [50, 80])
    }

    @Test func replayIsCountedOnce() throws {
        var tracker = BudgetTracker(budget: try Self.tenDollarBudget())
        let event = Self.spend("e1", 6 * Self.dollar, on: Self.march)
        #expect(tracker.record(event).map(\.thresholdPercent) == [50])
        // The same $6 again would make $12 (120 %) if counted: it must not be.
        #expect(tracker.record(event).isEmpty)
        #expect(tracker.spent(inWindowContaining: Self.march) == Money(dollars: 6))
    }

    @Test func periodsAreIndependentAndLateEventsCountWhereTheyBelong() throws {
        var tracker = BudgetTracker(budget: try Self.tenDollarBudget())
        // April reaches 50 % first; then a late March event reaches 50 % of March.
        #expect(tracker.record(Self.spend("apr", 5 * Self.dollar, on: Self.april)).map(\.window.description) == ["2025-04"])
        #expect(tracker.record(Self.spend("mar", 5 * Self.dollar, on: Self.march)).map(\.window.description) == ["2025-03"])
        #expect(tracker.spent(inWindowContaining: Self.april) == Money(dollars: 5))
    }

    @Test func anEventSpanningMonthsCountsInEach() throws {
        var tracker = BudgetTracker(budget: try Self.tenDollarBudget())
        // Aggregator m5.xlarge $0.192/h from 2025-03-31 00:00 to 2025-04-01 12:00:
        // March 24 h = $4.608; April 12 h = $2.304. Neither month reaches 50 %.
        let event = F.aggregator("span", .instanceType("m5.xlarge"), from: F.at(2025, 3, 31), to: F.at(2025, 4, 1, 12))
        #expect(tracker.record(F.pricer.price(event)).isEmpty)
        #expect(tracker.spent(inWindowContaining: Self.march) == Money(nanoDollars: 4_608_000_000))
        #expect(tracker.spent(inWindowContaining: Self.april) == Money(nanoDollars: 2_304_000_000))
        #expect(tracker.record(F.pricer.price(event)).isEmpty) // replay
        #expect(tracker.spent(inWindowContaining: Self.march) == Money(nanoDollars: 4_608_000_000))
    }

    @Test func otherFederationsAndUnpriceableEventsCostNothing() throws {
        var tracker = BudgetTracker(budget: try Self.tenDollarBudget())
        #expect(tracker.record(Self.spend("x", 50 * Self.dollar, on: Self.march, federation: "fed-2")).isEmpty)
        let unpriceable = F.pricer.price(F.node("u", region: F.mumbai, .instanceType("m5.large"), from: F.at(2025, 3, 1), to: F.at(2025, 3, 2)))
        #expect(tracker.record(unpriceable).isEmpty)
        #expect(tracker.spent(inWindowContaining: Self.march) == .zero)
    }

    @Test func loweringTheLimitFiresWhatIsNowReachedOnce() throws {
        var tracker = BudgetTracker(budget: try Self.tenDollarBudget())
        _ = tracker.record(Self.spend("e1", 6 * Self.dollar, on: Self.march)) // 60 %: fired 50
        // Limit $7: $6 is 85.7 % → 80 fires now (50 already fired, stays fired).
        let lowered = try Budget(id: "b1", federation: "fed-1", limit: Money(dollars: 7))
        let crossings = try tracker.change(to: lowered)
        #expect(crossings.map(\.thresholdPercent) == [80])
        #expect(crossings.first?.triggeringEventID == nil)
        #expect(try tracker.change(to: lowered).isEmpty)
        #expect(throws: BudgetError.periodChanged(from: .monthly, to: .daily)) {
            try tracker.change(to: Budget(id: "b1", federation: "fed-1", limit: Money(dollars: 7), period: .daily))
        }
    }

    @Test func budgetsAreValidated() throws {
        #expect(throws: BudgetError.limitNotPositive(.zero)) { try Budget(id: "b", federation: "f", limit: .zero) }
        #expect(throws: BudgetError.noThresholds) { try Budget(id: "b", federation: "f", limit: Money(dollars: 1), thresholdPercents: []) }
        #expect(throws: BudgetError.thresholdNotPositive(0)) {
            try Budget(id: "b", federation: "f", limit: Money(dollars: 1), thresholdPercents: [50, 0])
        }
        #expect(try Budget(id: "b", federation: "f", limit: Money(dollars: 1), thresholdPercents: [100, 50, 100, 120]).thresholdPercents == [50, 100, 120])
    }

    @Test func periodWindows() {
        let day = UTCDay(year: 2025, month: 12, day: 17) // a Wednesday
        #expect(BudgetPeriod.monthly.window(containing: day).start.description == "2025-12-01")
        #expect(BudgetPeriod.monthly.window(containing: day).end.description == "2026-01-01")
        #expect(BudgetPeriod.weekly.window(containing: day).start.description == "2025-12-15")
        #expect(BudgetPeriod.weekly.window(containing: day).end.description == "2025-12-22")
        #expect(BudgetPeriod.daily.window(containing: day).end.description == "2025-12-18")
    }

    /// Events over three months (some spanning two days or months), replayed and shuffled: each
    /// (period, threshold) fires at most once, and fires iff the period's total reaches it.
    @Test func thresholdsFireExactlyOnceUnderReplayAndReordering() async throws {
        let budget = try Budget(id: "b", federation: "fed-1", limit: Money(dollars: 20), thresholdPercents: [25, 50, 80, 100, 150])
        let start = UTCDay(year: 2025, month: 1, day: 1)
        let eventGen = zip(Gen.int64(in: 0...89), Gen.int64(in: 0...2), Gen.int64(in: 0...3_000_000_000))
            .array(of: 1...60)
        await propertyCheck(count: 150, input: eventGen, Gen.uint64()) { specs, seed in
            // Event i: `amount` n$ on day `offset`, split evenly over `extraDays` + 1 days.
            let events = specs.enumerated().map { i, spec in
                let (offset, extraDays, amount) = spec
                let share = amount / (extraDays + 1)
                return PricedUsage(eventID: "e\(i)", federation: "fed-1", kind: .nodeHours, lineItems: (0...extraDays).map { d in
                    PricedLineItem(id: .init(eventID: "e\(i)", index: Int(d)), federation: "fed-1", organisation: nil,
                                   component: .participants, region: Fixtures.usEast, day: start.advanced(by: offset + d),
                                   quantity: 0, rate: PriceRate(nanoDollarsPerUnit: 0, unit: .hour),
                                   amount: Money(nanoDollars: share), instanceType: nil)
                }, substitution: nil)
            }
            // Expected: totals per month window, and the thresholds they reach.
            var totals: [BudgetWindow: Money] = [:]
            for item in events.flatMap(\.lineItems) { totals[budget.period.window(containing: item.day), default: .zero] += item.amount }
            var expected: Set<String> = []
            for (window, total) in totals {
                for percent in budget.thresholdPercents where budget.reached(percent, spent: total) { expected.insert("\(window)@\(percent)") }
            }

            var random = SplitMix(seed: seed)
            for _ in 0..<2 {
                let replays = (0..<random.below(events.count + 1)).map { _ in events[random.below(events.count)] }
                var tracker = BudgetTracker(budget: budget)
                var fired: [String] = []
                for event in random.shuffle(events + replays) {
                    for crossing in tracker.record(event) {
                        fired.append("\(crossing.window)@\(crossing.thresholdPercent)")
                        #expect(budget.reached(crossing.thresholdPercent, spent: crossing.spent))
                    }
                }
                #expect(fired.count == Set(fired).count, "a threshold fired twice: \(fired)")
                #expect(Set(fired) == expected)
                for (window, total) in totals { #expect(tracker.windows[window]?.spent == total) }
            }
        }
    }

    @Test func trackerStateSurvivesJSON() throws {
        var tracker = BudgetTracker(budget: try Self.tenDollarBudget())
        _ = tracker.record(Self.spend("e1", 6 * Self.dollar, on: Self.march))
        var restored = try JSONDecoder().decode(BudgetTracker.self, from: JSONEncoder().encode(tracker))
        #expect(restored == tracker)
        // Restored state still refuses the replay and fires 80 % next, not 50 % again.
        #expect(restored.record(Self.spend("e1", 6 * Self.dollar, on: Self.march)).isEmpty)
        #expect(restored.record(Self.spend("e2", 2 * Self.dollar, on: Self.march)).map(\.thresholdPercent) == [80])
    }
}
