import PlacementCore

/// The catalogue's offers by (region, instance type) and, per region, cheapest first: built
/// once per catalogue, so pricing an event is two dictionary look-ups and a short scan.
struct OfferIndex: Sendable {
    private let byKey: [OfferKey: InstanceOffer]
    /// Per region, ordered by hourly price, then instance type (a stable, documented tie-break).
    private let byRegion: [RegionID: [InstanceOffer]]

    init(_ offers: [InstanceOffer]) {
        var byKey: [OfferKey: InstanceOffer] = [:]
        var byRegion: [RegionID: [InstanceOffer]] = [:]
        for offer in offers where byKey[OfferKey(offer)] == nil {
            byKey[OfferKey(offer)] = offer
            byRegion[offer.region.id, default: []].append(offer)
        }
        self.byKey = byKey
        self.byRegion = byRegion.mapValues { offers in
            offers.sorted { ($0.hourlyUSD, $0.instanceType) < ($1.hourlyUSD, $1.instanceType) }
        }
    }

    func hasOffers(in region: RegionID) -> Bool { byRegion[region] != nil }

    func offer(_ instanceType: String, in region: RegionID) -> InstanceOffer? {
        byKey[OfferKey(region: region, instanceType: instanceType)]
    }

    /// The cheapest offer of the region meeting the requirement (ties: instance type name).
    func cheapest(in region: RegionID, meeting requirement: ResourceRequirement) -> InstanceOffer? {
        byRegion[region]?.first(where: requirement.isMet)
    }

    /// Regions with at least one offer, sorted.
    var regions: [RegionID] { byRegion.keys.sorted() }

    func region(_ id: RegionID) -> Region? { byRegion[id]?.first?.region }
}
