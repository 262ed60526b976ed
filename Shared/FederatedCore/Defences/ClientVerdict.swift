/// What a robust aggregation rule did with one client's update, and why — for the coordinator
/// to record next to the round.
public struct ClientVerdict: Sendable, Codable, Equatable, CustomStringConvertible {
    public enum Decision: String, Sendable, Codable, CaseIterable {
        /// The update counted fully (or with at least half an equal share).
        case kept
        /// The update counted, but with less than half an equal share of the aggregate.
        case downWeighted
        /// The update did not count at all.
        case excluded
    }

    public let client: String
    public let decision: Decision
    /// The client's share of the new model: the weight its values carry, averaged over every
    /// coordinate. Shares of one round sum to 1 (to rounding); an equal share is 1/n.
    public let influence: Double
    /// The rule's statistic for this client (Krum score, similarity, reputation, …), if it has one.
    public let score: Double?
    /// A sentence a person can read, e.g. "Krum score 12.3 — not among the 2 lowest".
    public let reason: String

    public init(client: String, decision: Decision, influence: Double, score: Double? = nil, reason: String) {
        self.client = client
        self.decision = decision
        self.influence = influence
        self.score = score
        self.reason = reason
    }

    /// The decision for a coordinate-wise rule, from the share of the aggregate a client had:
    /// none → excluded, under half an equal share → down-weighted, otherwise kept.
    static func decision(influence: Double, clients: Int) -> Decision {
        if influence <= 0 { return .excluded }
        return influence < 0.5 / Double(clients) ? .downWeighted : .kept
    }

    public var description: String { "\(client): \(decision.rawValue) (\(percent(influence)) of the model) — \(reason)" }
}

/// A defended round: the new global model and one verdict per update, in arrival order.
public struct DefendedRound: Sendable, Equatable {
    public let model: TensorCollection
    public let verdicts: [ClientVerdict]

    public init(model: TensorCollection, verdicts: [ClientVerdict]) {
        self.model = model
        self.verdicts = verdicts
    }
}

/// A robust aggregation rule: it sees the whole round at once (these rules are not streaming)
/// and says what it did with each update. Rules with memory across rounds (FedQV, the
/// reputation rule) keep it in a Codable `state`; persist it after each round.
public protocol RobustAggregator: Sendable {
    /// A short name for logs and benchmarks, with the parameters that matter.
    var name: String { get }
    mutating func aggregate(_ round: RoundUpdates) throws(DefenceError) -> DefendedRound
}

/// "12.3%" — for reasons.
func percent(_ fraction: Double) -> String {
    let tenths = (fraction * 1000).rounded() / 10
    return "\(tenths)%"
}

/// A number with about four significant digits, for reasons ("1716.0", "12.35", "0.04213").
func shortNumber(_ value: Double) -> String {
    guard value.isFinite, value != 0 else { return "\(value)" }
    var decimals = 3  // values in [1, 10) keep three decimals
    var magnitude = abs(value)
    while magnitude >= 10, decimals > 0 { magnitude /= 10; decimals -= 1 }
    while magnitude < 1, decimals < 12 { magnitude *= 10; decimals += 1 }
    var factor = 1.0
    for _ in 0..<decimals { factor *= 10 }
    return "\((value * factor).rounded() / factor)"
}
