/// Egress prices in USD per GB (1 GB = 10^9 bytes), looked up by sender and receiver.
///
/// Rule: the sender's tariff applies (clouds bill traffic out of a region, never into it):
/// same region → `sameRegionPerGB`; same provider, other region → `interRegionPerGB`;
/// other provider → `internetPerGB`. A per-region override beats the provider's tariff (AWS and
/// GCP charge more out of South America, Africa and the Middle East).
public struct EgressPriceTable: Sendable, Hashable, Codable {
    public var providers: [Provider: EgressTariff]
    public var regionOverrides: [RegionID: EgressTariff]
    /// Used for a provider with no entry, so a missing tariff never makes traffic free by accident.
    public var fallback: EgressTariff

    public init(
        providers: [Provider: EgressTariff],
        regionOverrides: [RegionID: EgressTariff] = [:],
        fallback: EgressTariff = EgressTariff(interRegionPerGB: 0.09, internetPerGB: 0.12)
    ) {
        self.providers = providers
        self.regionOverrides = regionOverrides
        self.fallback = fallback
    }

    public func tariff(of region: RegionID) -> EgressTariff {
        regionOverrides[region] ?? providers[region.provider] ?? fallback
    }

    /// USD per GB for traffic sent from `source` to `destination`, billed to the sender.
    public func pricePerGB(from source: RegionID, to destination: RegionID) -> Double {
        let tariff = tariff(of: source)
        if source == destination { return tariff.sameRegionPerGB }
        if source.provider == destination.provider { return tariff.interRegionPerGB }
        return tariff.internetPerGB
    }

    /// Approximate first-tier public list prices (2025). Approximate defaults, not a quote:
    /// import the providers' price lists for real bills.
    public static let approximateDefaults = EgressPriceTable(
        providers: [
            .aws: EgressTariff(interRegionPerGB: 0.02, internetPerGB: 0.09),
            .gcp: EgressTariff(interRegionPerGB: 0.02, internetPerGB: 0.12),
            .azure: EgressTariff(interRegionPerGB: 0.02, internetPerGB: 0.087),
            // Public OpenStack operators mostly do not meter egress; the token cent keeps
            // cross-provider traffic from looking free. A private cloud may set all three to 0.
            .openstack: EgressTariff(interRegionPerGB: 0, internetPerGB: 0.01),
        ],
        regionOverrides: [
            RegionID(.aws, "sa-east-1"): EgressTariff(interRegionPerGB: 0.138, internetPerGB: 0.15),
            RegionID(.aws, "af-south-1"): EgressTariff(interRegionPerGB: 0.147, internetPerGB: 0.154),
            RegionID(.aws, "me-south-1"): EgressTariff(interRegionPerGB: 0.11, internetPerGB: 0.117),
        ]
    )
}
