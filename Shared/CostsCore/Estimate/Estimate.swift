import PlacementCore

/// The wizard's answer: every region priced, cheapest first, and what to pick and why.
public struct Estimate: Sendable, Hashable {
    /// One option per region that has an offer meeting the size (its cheapest such offer),
    /// allowed or not, cheapest total first (ties: region, then instance type).
    public var options: [EstimateOption]
    /// Regions of the catalogue with no offer meeting the size.
    public var regionsWithoutOffer: [RegionID]
    /// The cheapest allowed option; nil when none is.
    public var recommended: EstimateOption?
    /// One sentence a person can act on.
    public var reason: String
}

/// The template run in one region, on the cheapest offer there meeting its size.
public struct EstimateOption: Sendable, Hashable {
    public var offer: InstanceOffer
    /// Aggregator instance-hours.
    public var instance: Money
    /// Models sent down, billed out of the aggregator's region.
    public var aggregatorEgress: Money
    /// Updates sent up, billed out of the participants' regions.
    public var participantEgress: Money
    /// Communication time of a round (PlacementCore's ``RoundTimeModel``); nil when a
    /// participant pair has no known latency. Informational: the order is by cost.
    public var roundTimeSeconds: Double?
    /// The region rule this option breaks, or nil when it is allowed.
    public var excludedBy: Infeasibility?

    public var region: RegionID { offer.region.id }
    public var isAllowed: Bool { excludedBy == nil }
    public var egress: Money { aggregatorEgress + participantEgress }
    public var total: Money { instance + egress }
    /// Egress as whole percent of the total.
    public var egressPercent: Int64 { egress.percent(of: total) }
}
