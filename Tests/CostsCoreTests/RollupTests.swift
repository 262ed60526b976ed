import PlacementCore
import PropertyBased
import Testing
@testable import CostsCore

@Suite struct RollupTests {
    typealias F = Fixtures

    static let events: [UsageEvent] = [
        // Aggregator m5.xlarge us-east-1 $0.192/h, 2025-03-01 22:00 → 03-02 02:00:
        // 1st: 2 h = $0.384; 2nd: 2 h = $0.384.
        F.aggregator("agg", .instanceType("m5.xlarge"), from: F.at(2025, 3, 1, 22), to: F.at(2025, 3, 2, 2)),
        // Node m5.large eu-central-1 $0.115/h, 2025-03-01 10:00 → 14:00: 4 h = $0.46.
        F.node("node", region: F.frankfurt, .instanceType("m5.large"), from: F.at(2025, 3, 1, 10), to: F.at(2025, 3, 1, 14)),
        // 10 GB us-east-1 → eu-central-1 at $0.02 = $0.20 on the 2nd.
        F.transfer("xfer", from: F.usEast, to: .region(F.frankfurt), bytes: 10_000_000_000, at: F.at(2025, 3, 2, 9)),
        // Another federation: $0.192 × 1 h, must not leak into fed-1.
        F.aggregator("other", federation: "fed-2", .instanceType("m5.xlarge"), from: F.at(2025, 3, 1, 1), to: F.at(2025, 3, 1, 2)),
    ]

    static var items: [PricedLineItem] { events.flatMap { F.pricer.price($0).priced!.lineItems } }

    @Test func costsByDayProviderRegionAndComponent() {
        let rollup = CostRollup(items: Self.items)
        // Total fed-1: 0.384 + 0.384 + 0.46 + 0.20 = $1.428.
        #expect(rollup.total(federation: "fed-1") == Money(nanoDollars: 1_428_000_000))
        #expect(rollup.total(federation: "fed-2") == Money(nanoDollars: 192_000_000))
        // By day: 1st = 0.384 + 0.46 = $0.844; 2nd = 0.384 + 0.20 = $0.584.
        #expect(rollup.byDay(federation: "fed-1") == [
            UTCDay(year: 2025, month: 3, day: 1): Money(nanoDollars: 844_000_000),
            UTCDay(year: 2025, month: 3, day: 2): Money(nanoDollars: 584_000_000),
        ])
        // By component: aggregator $0.768, participants $0.46, transfer $0.20.
        #expect(rollup.byComponent(federation: "fed-1") == [
            .aggregator: Money(nanoDollars: 768_000_000), .participants: Money(nanoDollars: 460_000_000),
            .dataTransfer: Money(nanoDollars: 200_000_000),
        ])
        // By region: us-east-1 = 0.768 + 0.20 = $0.968; eu-central-1 = $0.46. All AWS.
        #expect(rollup.byRegion(federation: "fed-1") == [F.usEast: Money(nanoDollars: 968_000_000), F.frankfurt: Money(nanoDollars: 460_000_000)])
        #expect(rollup.byProvider(federation: "fed-1") == [.aws: Money(nanoDollars: 1_428_000_000)])
        // Rows are sorted cells: fed-1 has 4 (agg 1st, node 1st, agg 2nd, transfer 2nd), fed-2 one.
        #expect(rollup.rows.count == 5)
        #expect(rollup.rows == rollup.rows.sorted { $0.key < $1.key })
    }

    @Test func replayedItemsAreCountedOnce() {
        var rollup = CostRollup(items: Self.items)
        let before = rollup.amounts
        for item in Self.items {
            let counted = rollup.add(item)
            #expect(!counted)
        }
        #expect(rollup.amounts == before)
        #expect(rollup.conflicts.isEmpty)
        // Same id, other amount: not counted, reported.
        var tampered = Self.items[0]
        tampered.amount = Money(dollars: 100)
        let countedTampered = rollup.add(tampered)
        #expect(!countedTampered)
        #expect(rollup.conflicts == [tampered.id])
        #expect(rollup.amounts == before)
    }

    @Test func anyOrderAndAnyReplayGiveTheSameRollup() async {
        let reference = CostRollup(items: Self.items)
        await propertyCheck(count: 100, input: Gen.uint64()) { seed in
            var random = SplitMix(seed: seed)
            let replays = (0..<random.below(10)).map { _ in Self.items[random.below(Self.items.count)] }
            let rollup = CostRollup(items: random.shuffle(Self.items + replays))
            #expect(rollup.amounts == reference.amounts)
            #expect(rollup.countedItems == Self.items.count)
        }
    }
}
