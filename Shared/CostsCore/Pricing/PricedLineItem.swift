import PlacementCore

/// One priced slice of one event: the part of an interval that fell in one UTC day, or one
/// transfer. The unit of storage (one row per item) and of every rollup.
public struct PricedLineItem: Sendable, Hashable, Codable, Identifiable {
    /// (event id, position in the event): unique, so storing or summing an item twice is
    /// detectable and a replayed event's items collapse onto the first ones.
    public struct ID: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
        public var eventID: String
        public var index: Int

        public init(eventID: String, index: Int) {
            self.eventID = eventID
            self.index = index
        }

        public static func < (lhs: ID, rhs: ID) -> Bool { (lhs.eventID, lhs.index) < (rhs.eventID, rhs.index) }
        public var description: String { "\(eventID)#\(index)" }
    }

    public var id: ID
    public var federation: String
    /// The organisation billed, when a participant is; nil for the federation's own costs.
    public var organisation: String?
    public var component: CostComponent
    /// The region billed: where the machine ran, or where the bytes left.
    public var region: RegionID
    public var day: UTCDay
    /// Milliseconds when `rate` is per hour, bytes when it is per GB.
    public var quantity: Int64
    public var rate: PriceRate
    public var amount: Money
    /// The instance type that priced the item (after any substitution); nil for transfers.
    public var instanceType: String?

    public init(
        id: ID, federation: String, organisation: String?, component: CostComponent, region: RegionID,
        day: UTCDay, quantity: Int64, rate: PriceRate, amount: Money, instanceType: String?
    ) {
        self.id = id
        self.federation = federation
        self.organisation = organisation
        self.component = component
        self.region = region
        self.day = day
        self.quantity = quantity
        self.rate = rate
        self.amount = amount
        self.instanceType = instanceType
    }

    public var provider: Provider { region.provider }
}
