/// Why a robust aggregation rule could not aggregate a round, or be created or resumed.
public enum DefenceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Update number `position` (0-based, in arrival order) was refused; see the reason.
    case rejectedUpdate(position: Int, client: String, reason: AggregationError)
    /// A client identifier appeared twice in one round.
    case duplicateClient(String)
    /// The rule needs more updates than the round has (e.g. Bulyan's n ≥ 4f + 3).
    case tooFewUpdates(needed: Int, found: Int, rule: String)
    case invalidConfiguration(String)
    case invalidState(String)

    public var description: String {
        switch self {
        case .rejectedUpdate(let position, let client, let reason): "update \(position) (client '\(client)') rejected: \(reason)"
        case .duplicateClient(let client): "client '\(client)' sent two updates in one round"
        case .tooFewUpdates(let needed, let found, let rule): "\(rule) needs at least \(needed) updates; the round has \(found)"
        case .invalidConfiguration(let reason): "invalid defence configuration: \(reason)"
        case .invalidState(let reason): "invalid defence state: \(reason)"
        }
    }
}
