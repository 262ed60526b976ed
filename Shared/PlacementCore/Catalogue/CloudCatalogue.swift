/// Everything the models need to know about the clouds: what can be bought where, what traffic
/// costs, and how far apart regions are.
public struct CloudCatalogue: Sendable, Hashable {
    public var offers: [InstanceOffer]
    public var egress: EgressPriceTable
    public var latency: LatencyMatrix

    public init(offers: [InstanceOffer], egress: EgressPriceTable, latency: LatencyMatrix) {
        self.offers = offers
        self.egress = egress
        self.latency = latency
    }

    /// Regions with at least one priced offer, sorted.
    public var pricedRegions: [RegionID] {
        Set(offers.map(\.region.id)).sorted()
    }
}
