/// A naive placement to compare the recommendation with.
public struct Baseline: Sendable, Hashable {
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        /// The feasible instance with the lowest hourly price — what a person reading a price
        /// list would pick, ignoring egress and latency (ties: lower total cost, then faster).
        /// Its full modelled cost is reported, egress included.
        case cheapestInstance
        /// A feasible option drawn uniformly with this seed.
        case seededRandom(seed: UInt64)
        /// The cheapest feasible instance in the region where most participants are (ties:
        /// the region named first in the participant list).
        case mostCommonParticipantRegion(RegionID)

        public var description: String {
            switch self {
            case .cheapestInstance: "cheapest instance"
            case let .seededRandom(seed): "random (seed \(seed))"
            case let .mostCommonParticipantRegion(region): "most common participant region \(region)"
            }
        }
    }

    public enum Outcome: Sendable, Hashable {
        case option(PlacementOption)
        case notFeasible(Unavailable)
    }

    /// Why a baseline has no option.
    public enum Unavailable: Sendable, Hashable, CustomStringConvertible {
        case noFeasibleOption
        /// The region prices nothing (e.g. a participant-only region).
        case noOffers(RegionID)
        /// Every offer in the region is ruled out; counts by reason.
        case allOffersExcluded(RegionID, [ExclusionCount])

        public var description: String {
            switch self {
            case .noFeasibleOption: "not feasible: no option meets the constraints"
            case let .noOffers(region): "not feasible: no instance is priced in \(region)"
            case let .allOffersExcluded(region, counts):
                "not feasible: every offer in \(region) is excluded ("
                    + counts.map { "\($0.count) × \($0.kind.rawValue)" }.joined(separator: ", ") + ")"
            }
        }
    }

    public var kind: Kind
    public var outcome: Outcome

    public init(kind: Kind, outcome: Outcome) {
        self.kind = kind
        self.outcome = outcome
    }

    public var option: PlacementOption? {
        if case let .option(option) = outcome { return option }
        return nil
    }
}
