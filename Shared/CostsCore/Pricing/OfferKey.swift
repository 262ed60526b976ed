import PlacementCore

/// The identity of an offer in a catalogue: (region, instance type). PlacementCore's parser
/// keeps one row per key; so do the pricer and the import diff.
public struct OfferKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var region: RegionID
    public var instanceType: String

    public init(region: RegionID, instanceType: String) {
        self.region = region
        self.instanceType = instanceType
    }

    public init(_ offer: InstanceOffer) {
        self.init(region: offer.region.id, instanceType: offer.instanceType)
    }

    public static func < (lhs: OfferKey, rhs: OfferKey) -> Bool {
        (lhs.region, lhs.instanceType) < (rhs.region, rhs.instanceType)
    }

    public var description: String { "\(region) \(instanceType)" }
}
