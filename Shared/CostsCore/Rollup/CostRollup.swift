import PlacementCore

/// Cost per federation by UTC day, provider, region and component: a pure sum of priced line
/// items, exact, so any order of the same items gives the same figures.
///
/// Idempotent: an item whose id (event id, position) was already added is not counted again —
/// a replayed event adds nothing. An item that reuses an id with different content (a producer
/// bug, or a re-price after a catalogue change that was not meant to replace) is not counted
/// either, and is listed in ``conflicts`` for the service to report.
public struct CostRollup: Sendable, Hashable {
    /// One cell of the report. The provider is the region's.
    public struct Key: Sendable, Hashable, Comparable, Codable {
        public var federation: String
        public var day: UTCDay
        public var region: RegionID
        public var component: CostComponent

        public init(federation: String, day: UTCDay, region: RegionID, component: CostComponent) {
            self.federation = federation
            self.day = day
            self.region = region
            self.component = component
        }

        public var provider: Provider { region.provider }

        public static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.federation, lhs.day, lhs.region, lhs.component) < (rhs.federation, rhs.day, rhs.region, rhs.component)
        }
    }

    public struct Row: Sendable, Hashable, Codable {
        public var key: Key
        public var amount: Money
    }

    public private(set) var amounts: [Key: Money] = [:]
    /// Ids offered again with different content; the first content was kept.
    public private(set) var conflicts: [PricedLineItem.ID] = []
    private var counted: [PricedLineItem.ID: PricedLineItem] = [:]

    public init() {}

    public init(items: some Sequence<PricedLineItem>) {
        for item in items { add(item) }
    }

    /// Adds the item; false when its id was already counted (a replay, or a conflict).
    @discardableResult
    public mutating func add(_ item: PricedLineItem) -> Bool {
        if let earlier = counted[item.id] {
            if earlier != item { conflicts.append(item.id) }
            return false
        }
        counted[item.id] = item
        amounts[Key(federation: item.federation, day: item.day, region: item.region, component: item.component), default: .zero]
            += item.amount
        return true
    }

    /// Every non-empty cell, sorted by federation, day, region, component.
    public var rows: [Row] {
        amounts.keys.sorted().map { Row(key: $0, amount: amounts[$0]!) }
    }

    public var countedItems: Int { counted.count }

    public func total(federation: String) -> Money {
        amounts.lazy.filter { $0.key.federation == federation }.map(\.value).reduce(.zero, +)
    }

    /// The federation's cost grouped by any part of the key.
    public func totals<Group: Hashable>(federation: String, by group: (Key) -> Group) -> [Group: Money] {
        var result: [Group: Money] = [:]
        for (key, amount) in amounts where key.federation == federation {
            result[group(key), default: .zero] += amount
        }
        return result
    }

    public func byDay(federation: String) -> [UTCDay: Money] { totals(federation: federation) { $0.day } }
    public func byProvider(federation: String) -> [Provider: Money] { totals(federation: federation) { $0.provider } }
    public func byRegion(federation: String) -> [RegionID: Money] { totals(federation: federation) { $0.region } }
    public func byComponent(federation: String) -> [CostComponent: Money] { totals(federation: federation) { $0.component } }
}
