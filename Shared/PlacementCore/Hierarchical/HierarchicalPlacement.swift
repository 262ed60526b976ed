/// A decoded hierarchical placement with its modelled cost and round time.
public struct HierarchicalPlacement: Sendable, Hashable {
    public var global: InstanceOffer
    /// The k regional aggregators, by slot.
    public var regional: [InstanceOffer]
    /// For each participant (in request order), the regional slot it reports to.
    public var assignment: [Int]
    public var cost: CostBreakdown
    public var roundTime: RoundTime
    public var genome: HierarchicalGenome

    public var objectives: ObjectivePoint { ObjectivePoint(cost: cost.totalUSD, time: roundTime.seconds) }
}
