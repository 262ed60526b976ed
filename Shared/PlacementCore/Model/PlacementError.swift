/// A placement request that cannot be answered as asked.
public enum PlacementError: Error, Sendable, Hashable, CustomStringConvertible {
    case noParticipants
    case invalidSize(field: String, value: Double)
    case invalidSchedule(RoundSchedule)
    case preferenceOutOfRange(Double)
    case invalidConstraint(name: String, value: Double)
    case invalidRegionalCount(Int)
    case invalidConfiguration(field: String, value: String, requirement: String)
    /// No region can host an aggregator under the constraints; counts say what excluded them.
    case noCandidateRegion(exclusions: [ExclusionCount])

    public var description: String {
        switch self {
        case .noParticipants: "the federation has no participants"
        case let .invalidSize(field, value): "\(field) must be a finite size >= 0, got \(value)"
        case let .invalidSchedule(schedule): "round schedule \(schedule) must be finite and positive"
        case let .preferenceOutOfRange(value): "preference must be in [0, 1], got \(value)"
        case let .invalidConstraint(name, value): "constraint \(name) must be >= 0, got \(value)"
        case let .invalidRegionalCount(k): "regional aggregator count must be >= 1, got \(k)"
        case let .invalidConfiguration(field, value, requirement): "\(field) \(value) must be \(requirement)"
        case let .noCandidateRegion(exclusions):
            "no region can host an aggregator: "
                + exclusions.map { "\($0.count) × \($0.kind.rawValue)" }.joined(separator: ", ")
        }
    }
}
