import PlacementCore

/// Why an event could not be priced. Such an event is reported, never billed as zero.
public enum UnpriceableReason: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The interval ends before it starts.
    case invalidInterval(UsageInterval)
    /// No instance at all is priced in the region (wrong name, or a region never imported).
    case regionNotInCatalogue(RegionID)
    /// The instance type is unknown in the region and the event gave no size to substitute by.
    case instanceTypeNotInCatalogue(String, region: RegionID)
    /// No offer of the region is at least this size.
    case noOfferMeetsRequirement(ResourceRequirement, region: RegionID, requestedInstanceType: String?)
    /// Neither an instance type nor a size.
    case noMachineDescription
    /// A size with negative or non-finite figures.
    case invalidResources(ResourceRequirement)
    case negativeBytes(Int64)
    /// A catalogue price that is negative, not finite or absurdly large.
    case priceNotRepresentable(usd: Double, what: String)
    /// The amount would not fit ``Money`` (±9.2 × 10⁹ USD).
    case amountTooLarge

    /// A stable machine-readable code, e.g. for metrics labels and the problem+json `type`.
    public var code: String {
        switch self {
        case .invalidInterval: "invalid-interval"
        case .regionNotInCatalogue: "region-not-in-catalogue"
        case .instanceTypeNotInCatalogue: "instance-type-not-in-catalogue"
        case .noOfferMeetsRequirement: "no-offer-meets-requirement"
        case .noMachineDescription: "no-machine-description"
        case .invalidResources: "invalid-resources"
        case .negativeBytes: "negative-bytes"
        case .priceNotRepresentable: "price-not-representable"
        case .amountTooLarge: "amount-too-large"
        }
    }

    public var description: String {
        switch self {
        case let .invalidInterval(interval): "interval \(interval) ends before it starts"
        case let .regionNotInCatalogue(region): "no instance is priced in \(region); import its price list"
        case let .instanceTypeNotInCatalogue(type, region):
            "instance type \(type) is not in the catalogue for \(region), and the event gives no vCPU/memory to substitute by"
        case let .noOfferMeetsRequirement(requirement, region, requested):
            (requested.map { "instance type \($0) is not in the catalogue for \(region), and " } ?? "")
                + "no offer in \(region) has at least \(requirement)"
        case .noMachineDescription: "the event names neither an instance type nor a vCPU/memory size"
        case let .invalidResources(requirement): "size \(requirement) is not valid (negative or not finite)"
        case let .negativeBytes(bytes): "byte count \(bytes) is negative"
        case let .priceNotRepresentable(usd, what): "price \(usd) USD of \(what) cannot be used"
        case .amountTooLarge: "the amount does not fit the money type (over 9.2 billion USD)"
        }
    }
}
