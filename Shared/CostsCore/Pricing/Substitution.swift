import PlacementCore

/// An event priced by another instance type than it named: the cheapest offer of its region
/// meeting its stated size. Kept on the priced event so the bill can say so.
public struct Substitution: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The instance type the event named, or nil when it gave only a size.
    public var requestedInstanceType: String?
    public var requirement: ResourceRequirement
    public var region: RegionID
    /// The offer that priced the event.
    public var substituteInstanceType: String
    public var substituteVCPU: Int
    public var substituteMemoryGB: Double
    public var substituteRate: PriceRate

    public init(requestedInstanceType: String?, requirement: ResourceRequirement, substitute: InstanceOffer, rate: PriceRate) {
        self.requestedInstanceType = requestedInstanceType
        self.requirement = requirement
        self.region = substitute.region.id
        self.substituteInstanceType = substitute.instanceType
        self.substituteVCPU = substitute.vCPU
        self.substituteMemoryGB = substitute.memoryGB
        self.substituteRate = rate
    }

    public var description: String {
        let why = requestedInstanceType.map { "\($0) is not in the catalogue for \(region)" }
            ?? "no instance type given"
        return "\(why); priced as \(substituteInstanceType) (\(substituteVCPU) vCPU, \(substituteMemoryGB) GB, "
            + "\(substituteRate)), the cheapest offer there meeting \(requirement)"
    }
}
