/// What one provider (or one region of it) charges per GB leaving a machine, by destination.
///
/// Deliberately flat: real price lists tier by monthly volume and by continent pair; we take the
/// first-tier list price, which overstates large federations' bills a little. Ingress is free on
/// every provider we model, so only the sender's tariff is ever applied.
public struct EgressTariff: Sendable, Hashable, Codable {
    /// To another machine in the same region (AWS/GCP/Azure: free within a zone; we ignore the
    /// cross-zone cent).
    public var sameRegionPerGB: Double
    /// To another region of the same provider, over its backbone.
    public var interRegionPerGB: Double
    /// To the internet, which includes every other provider.
    public var internetPerGB: Double

    public init(sameRegionPerGB: Double = 0, interRegionPerGB: Double, internetPerGB: Double) {
        self.sameRegionPerGB = sameRegionPerGB
        self.interRegionPerGB = interRegionPerGB
        self.internetPerGB = internetPerGB
    }
}
