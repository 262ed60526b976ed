/// A placement's two objectives, both minimised.
public struct ObjectivePoint: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Monthly cost in USD.
    public var cost: Double
    /// Round communication time in seconds.
    public var time: Double

    public init(cost: Double, time: Double) {
        self.cost = cost
        self.time = time
    }

    /// Pareto dominance: no worse in both objectives and better in at least one. Two equal
    /// points do not dominate each other, so both belong to a front.
    public func dominates(_ other: ObjectivePoint) -> Bool {
        cost <= other.cost && time <= other.time && (cost < other.cost || time < other.time)
    }

    public var description: String { "(\(cost) USD, \(time) s)" }
}
