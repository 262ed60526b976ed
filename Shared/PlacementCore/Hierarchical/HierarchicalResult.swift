/// What ``HierarchicalPlanner/optimise(_:configuration:)`` found.
public struct HierarchicalResult: Sendable {
    /// Feasible non-dominated placements found, cheapest first (one per objective vector).
    public var front: [HierarchicalPlacement]
    /// Hypervolume of `front` against `referencePoint` (USD × s).
    public var hypervolume: Double
    /// After the initial population, then after each generation; non-decreasing.
    public var hypervolumeHistory: [Double]
    /// Fixed before the run: the configuration's, or 10 % beyond an upper bound of every
    /// feasible solution's cost and round time (see ``HierarchicalProblem``), so that the
    /// hypervolumes of different generations are comparable and every feasible point counts.
    public var referencePoint: ObjectivePoint
    public var evaluations: Int
    /// Regions that could host an aggregator, and why the others could not.
    public var candidateRegions: [RegionID]
    public var excludedRegions: [ExclusionCount]

    /// Hypervolume as a share of the box between the origin and the reference point.
    public var normalisedHypervolume: Double {
        let box = referencePoint.cost * referencePoint.time
        return box > 0 ? hypervolume / box : 0
    }
}
