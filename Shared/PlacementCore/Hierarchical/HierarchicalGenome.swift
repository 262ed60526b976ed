/// Encoding of a hierarchical placement, as indices into ``HierarchicalProblem/candidates``.
///
/// Instance types are not genes: round time depends on regions only, so in each region the
/// cheapest offer meeting the size rules weakly dominates every other offer there, and the
/// problem fixes it per region.
public struct HierarchicalGenome: Sendable, Hashable {
    /// Candidate index of the global aggregator.
    public var global: Int
    /// Candidate index of each of the k regional aggregators (slots may share a region).
    public var regional: [Int]
    /// For each participant, the regional slot (0..<k) it reports to.
    public var assignment: [Int]

    public init(global: Int, regional: [Int], assignment: [Int]) {
        self.global = global
        self.regional = regional
        self.assignment = assignment
    }
}
