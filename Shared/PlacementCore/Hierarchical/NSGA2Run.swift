/// What an ``NSGA2`` run found.
public struct NSGA2Run<Genome: Hashable & Sendable>: Sendable {
    public struct Member: Sendable {
        public var genome: Genome
        public var fitness: Fitness
    }

    /// Every feasible non-dominated solution seen in the run (one per objective vector),
    /// cheapest first.
    public var front: [Member]
    /// Hypervolume of `front` as it stood after the initial population (index 0) and after each
    /// generation; never decreases (see ``NSGA2``).
    public var hypervolumeHistory: [Double]
    public var referencePoint: ObjectivePoint
    /// Number of calls to the problem's `evaluate`.
    public var evaluations: Int

    public var hypervolume: Double { hypervolumeHistory.last ?? 0 }
}
