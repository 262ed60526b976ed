/// Hard limits on a placement. nil / empty-default fields impose nothing.
public struct PlacementConstraints: Sendable, Hashable {
    public var maxMonthlyCostUSD: Double?
    public var maxRoundTimeSeconds: Double?
    public var minVCPU: Int
    public var minMemoryGB: Double
    /// nil allows every provider.
    public var allowedProviders: Set<Provider>?
    /// nil allows every region.
    public var allowedRegions: Set<RegionID>?
    public var residency: Residency

    public init(
        maxMonthlyCostUSD: Double? = nil, maxRoundTimeSeconds: Double? = nil, minVCPU: Int = 0,
        minMemoryGB: Double = 0, allowedProviders: Set<Provider>? = nil,
        allowedRegions: Set<RegionID>? = nil, residency: Residency = .anywhere
    ) {
        self.maxMonthlyCostUSD = maxMonthlyCostUSD
        self.maxRoundTimeSeconds = maxRoundTimeSeconds
        self.minVCPU = minVCPU
        self.minMemoryGB = minMemoryGB
        self.allowedProviders = allowedProviders
        self.allowedRegions = allowedRegions
        self.residency = residency
    }

    /// The first rule that rules out a region whatever the instance (provider, region list,
    /// residency), or nil.
    public func regionViolation(_ region: Region) -> Infeasibility? {
        if let allowed = allowedProviders, !allowed.contains(region.provider) {
            return .providerNotAllowed(region.provider)
        }
        if let allowed = allowedRegions, !allowed.contains(region.id) { return .regionNotAllowed(region.id) }
        if !residency.permits(region) { return .residency(region.id) }
        return nil
    }

    /// The first rule the instance itself breaks (region rules, then size), or nil.
    public func offerViolation(_ offer: InstanceOffer) -> Infeasibility? {
        if let violation = regionViolation(offer.region) { return violation }
        if offer.vCPU < minVCPU { return .tooFewVCPU(have: offer.vCPU, need: minVCPU) }
        if offer.memoryGB < minMemoryGB { return .tooLittleMemory(have: offer.memoryGB, need: minMemoryGB) }
        return nil
    }

    /// The objective limits (cost, then round time), or nil when both hold.
    public func objectiveViolation(monthlyCostUSD: Double, roundTimeSeconds: Double) -> Infeasibility? {
        if let limit = maxMonthlyCostUSD, monthlyCostUSD > limit {
            return .overBudget(monthlyCostUSD: monthlyCostUSD, limit: limit)
        }
        if let limit = maxRoundTimeSeconds, roundTimeSeconds > limit {
            return .tooSlow(roundTimeSeconds: roundTimeSeconds, limit: limit)
        }
        return nil
    }

    func validate() throws(PlacementError) {
        for (name, value) in [("maxMonthlyCostUSD", maxMonthlyCostUSD), ("maxRoundTimeSeconds", maxRoundTimeSeconds)] {
            if let value, !(value >= 0) { throw .invalidConstraint(name: name, value: value) }
        }
        guard minMemoryGB.isFinite else { throw .invalidConstraint(name: "minMemoryGB", value: minMemoryGB) }
    }
}
