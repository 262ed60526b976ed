import Foundation

/// A robust aggregation rule named the way jobs name it, e.g.
/// `{"name": "krum", "hyperparameters": {"numMaliciousClients": 1}}`. It replaces the weighted
/// mean of a round's updates; the job's strategy then takes the defended model as that mean (so
/// FedAdam over Krum is Krum's model through FedAdam's server step). Unknown names and
/// hyperparameters are refused, never ignored.
///
/// Only the stateless rules are offered to jobs. FedQV and the reputation rule keep state across
/// rounds that would have to be checkpointed with the job; they are cores only for now.
public struct DefenceChoice: Sendable, Codable, Equatable {
    public var name: String
    public var hyperparameters: [String: Double]

    public init(name: String, hyperparameters: [String: Double] = [:]) {
        self.name = name
        self.hyperparameters = hyperparameters
    }

    /// The names and the hyperparameters each accepts (Flower's names, camel-cased).
    public static let accepted: [String: Set<String>] = [
        "fedmedian": [],
        "fedtrimmedavg": ["beta"],
        "krum": ["numMaliciousClients", "numClientsToKeep"],
        "bulyan": ["numMaliciousClients"],
    ]

    static let wholeNumbers: Set<String> = ["numMaliciousClients", "numClientsToKeep"]

    /// Why this choice cannot be used, or nil.
    public var problem: String? {
        if let problem = NamedChoice.problem(kind: "defence", name: name, hyperparameters: hyperparameters, accepted: Self.accepted) { return problem }
        for (key, value) in hyperparameters.sorted(by: { $0.key < $1.key })
        where Self.wholeNumbers.contains(key) && (value < 0 || value > 1000 || value.rounded() != value) {
            return "hyperparameter \(key) must be a whole number from 0 to 1000"
        }
        if let beta = hyperparameters["beta"], !(0..<0.5).contains(beta) { return "hyperparameter beta must be at least 0 and below 0.5" }
        return nil
    }

    /// The fewest updates a round must have for the rule to aggregate it (Krum: n > 2f + 2 so
    /// that a score exists; Multi-Krum also keeps k; Bulyan: n ≥ 4f + 3).
    public var minimumUpdates: Int {
        let f = Int(hyperparameters["numMaliciousClients"] ?? 0)
        switch name {
        case "krum": return max(2 * f + 3, Int(hyperparameters["numClientsToKeep"] ?? 0))
        case "bulyan": return 4 * f + 3
        default: return 1
        }
    }

    public func aggregator(parallelism: Int = 1) throws(DefenceError) -> any RobustAggregator {
        if let problem { throw .invalidConfiguration(problem) }
        let h = hyperparameters
        switch name {
        case "fedtrimmedavg": return try FedTrimmedAvg(beta: h["beta"] ?? 0.2, parallelism: parallelism)
        case "krum": return try Krum(numMaliciousClients: Int(h["numMaliciousClients"] ?? 0), numClientsToKeep: Int(h["numClientsToKeep"] ?? 0), parallelism: parallelism)
        case "bulyan": return try Bulyan(numMaliciousClients: Int(h["numMaliciousClients"] ?? 0), parallelism: parallelism)
        default: return FedMedian(parallelism: parallelism)
        }
    }
}
