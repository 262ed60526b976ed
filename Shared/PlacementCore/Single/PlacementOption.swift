/// One aggregator placement (an instance type in a region) with its modelled cost and time.
public struct PlacementOption: Sendable, Hashable {
    public var offer: InstanceOffer
    public var cost: CostBreakdown
    public var roundTime: RoundTime

    public init(offer: InstanceOffer, cost: CostBreakdown, roundTime: RoundTime) {
        self.offer = offer
        self.cost = cost
        self.roundTime = roundTime
    }

    public var objectives: ObjectivePoint { ObjectivePoint(cost: cost.totalUSD, time: roundTime.seconds) }
}
