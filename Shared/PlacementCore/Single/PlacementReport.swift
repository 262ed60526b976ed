/// The answer of ``AggregatorPlanner``: the exact front and what to make of it.
public struct PlacementReport: Sendable, Hashable {
    /// Every Pareto-optimal feasible option, cheapest first (round time descending).
    public var front: [PlacementOption]
    public var preference: Double
    public var recommended: PlacementOption?
    public var knee: PlacementOption?
    public var baselines: [Baseline]
    /// Each selected point against each baseline that has an option.
    public var savings: [Savings]
    /// Offers in the catalogue, all of which were evaluated.
    public var evaluatedOffers: Int
    public var feasibleOffers: Int
    /// Why the other offers were excluded (first failing rule per offer).
    public var exclusions: [ExclusionCount]
    public var roundsPerMonth: Double

    /// Cheapest point of the front (the preference-0 recommendation).
    public var costFirst: PlacementOption? { front.first }
    /// Fastest point of the front (the preference-1 recommendation, up to exact ties in time).
    public var latencyFirst: PlacementOption? { front.last }

    public func selected(_ point: SelectedPoint) -> PlacementOption? {
        switch point {
        case .recommended: recommended
        case .knee: knee
        case .costFirst: costFirst
        case .latencyFirst: latencyFirst
        }
    }

    public func savings(of point: SelectedPoint, against baseline: Baseline.Kind) -> Savings? {
        savings.first { $0.point == point && $0.baseline == baseline }
    }
}
