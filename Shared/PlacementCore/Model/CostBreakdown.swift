/// Monthly cost in USD, split by who is billed.
public struct CostBreakdown: Sendable, Hashable, Codable {
    /// Aggregator instance-hours.
    public var instanceUSD: Double
    /// Egress out of aggregator regions (models sent down, and in a hierarchy the regional
    /// aggregates sent up to the global aggregator): billed to the federation.
    public var aggregatorEgressUSD: Double
    /// Egress out of participant regions (updates sent up): billed to the participants.
    public var participantEgressUSD: Double

    public init(instanceUSD: Double, aggregatorEgressUSD: Double, participantEgressUSD: Double) {
        self.instanceUSD = instanceUSD
        self.aggregatorEgressUSD = aggregatorEgressUSD
        self.participantEgressUSD = participantEgressUSD
    }

    public var totalUSD: Double { instanceUSD + aggregatorEgressUSD + participantEgressUSD }
}
