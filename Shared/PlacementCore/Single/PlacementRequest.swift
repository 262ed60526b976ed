/// A question for ``AggregatorPlanner``: this workload, these limits, this taste.
public struct PlacementRequest: Sendable, Hashable {
    public var workload: FederationWorkload
    public var constraints: PlacementConstraints
    /// 0 = cost first, 1 = round time first; picks the recommended point on the front.
    public var preference: Double
    /// Seed of the random baseline, so reports are reproducible.
    public var baselineSeed: UInt64

    public init(
        workload: FederationWorkload, constraints: PlacementConstraints = PlacementConstraints(),
        preference: Double = 0.5, baselineSeed: UInt64 = 0
    ) {
        self.workload = workload
        self.constraints = constraints
        self.preference = preference
        self.baselineSeed = baselineSeed
    }

    func validate() throws(PlacementError) {
        try workload.validate()
        try constraints.validate()
        guard preference >= 0, preference <= 1 else { throw .preferenceOutOfRange(preference) }
    }
}
