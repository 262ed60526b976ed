/// A question for ``HierarchicalPlanner``: k regional aggregators plus one global aggregator.
public struct HierarchicalRequest: Sendable, Hashable {
    public var workload: FederationWorkload
    /// Apply to every aggregator (global and regional): size, providers, regions, residency;
    /// the cost and round-time limits apply to the whole hierarchy.
    public var constraints: PlacementConstraints
    /// k, the number of regional aggregators (each one is deployed and paid for, even if no
    /// participant ends up assigned to it).
    public var regionalCount: Int

    public init(workload: FederationWorkload, constraints: PlacementConstraints = PlacementConstraints(), regionalCount: Int) {
        self.workload = workload
        self.constraints = constraints
        self.regionalCount = regionalCount
    }

    func validate() throws(PlacementError) {
        try workload.validate()
        try constraints.validate()
        guard regionalCount >= 1 else { throw .invalidRegionalCount(regionalCount) }
    }
}
