import PlacementCore

/// What the wizard prices: an aggregator of a given size for some hours, serving participants
/// in given regions for some rounds of a model of a given size.
public struct EstimateTemplate: Sendable, Hashable, Codable {
    /// The aggregator's minimum size.
    public var resources: ResourceRequirement
    /// How long the aggregator runs.
    public var hours: Double
    /// One entry per participant (repeat a region for several participants there).
    public var participants: [RegionID]
    public var rounds: Int
    /// Global model sent to every participant each round.
    public var modelBytes: Int64
    /// Update each participant sends back each round; nil = the model size (full weights).
    public var updateBytes: Int64?
    /// nil allows every provider.
    public var allowedProviders: Set<Provider>?
    /// nil allows every region.
    public var allowedRegions: Set<RegionID>?
    public var residency: Residency

    public init(
        resources: ResourceRequirement, hours: Double, participants: [RegionID], rounds: Int, modelBytes: Int64,
        updateBytes: Int64? = nil, allowedProviders: Set<Provider>? = nil, allowedRegions: Set<RegionID>? = nil,
        residency: Residency = .anywhere
    ) {
        self.resources = resources
        self.hours = hours
        self.participants = participants
        self.rounds = rounds
        self.modelBytes = modelBytes
        self.updateBytes = updateBytes
        self.allowedProviders = allowedProviders
        self.allowedRegions = allowedRegions
        self.residency = residency
    }

    /// The region rules as PlacementCore states them (one place for "allowed").
    public var constraints: PlacementConstraints {
        PlacementConstraints(
            minVCPU: resources.vCPU, minMemoryGB: resources.memoryGB, allowedProviders: allowedProviders,
            allowedRegions: allowedRegions, residency: residency)
    }

    var hasRegionRules: Bool {
        allowedProviders != nil || allowedRegions != nil || residency != .anywhere
    }

    func validate() throws(EstimateError) {
        guard resources.isValid else { throw .invalid(field: "resources", value: resources.description, requirement: "vCPU and memory >= 0, GPU count >= 1") }
        guard hours.isFinite, hours >= 0 else { throw .invalid(field: "hours", value: "\(hours)", requirement: "finite and >= 0") }
        guard rounds >= 0 else { throw .invalid(field: "rounds", value: "\(rounds)", requirement: ">= 0") }
        guard modelBytes >= 0 else { throw .invalid(field: "modelBytes", value: "\(modelBytes)", requirement: ">= 0") }
        if let updateBytes, updateBytes < 0 {
            throw .invalid(field: "updateBytes", value: "\(updateBytes)", requirement: ">= 0")
        }
    }
}

public enum EstimateError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalid(field: String, value: String, requirement: String)
    /// A modelled amount does not fit ``Money`` (over 9.2 billion USD).
    case amountTooLarge(RegionID)

    public var description: String {
        switch self {
        case let .invalid(field, value, requirement): "template \(field) \(value) must be \(requirement)"
        case let .amountTooLarge(region): "the estimate for \(region) is over 9.2 billion USD"
        }
    }
}
