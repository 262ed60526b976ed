import Foundation

/// A robust aggregation rule named the way jobs name it, e.g.
/// `{"name": "krum", "hyperparameters": {"numMaliciousClients": 1}}`. It replaces the weighted
/// mean of a round's updates; the job's strategy then takes the defended model as that mean (so
/// FedAdam over Krum is Krum's model through FedAdam's server step). Unknown names and
/// hyperparameters are refused, never ignored.
///
/// FedQV (credits) and the reputation rule (evidence) keep state across rounds: it goes in and
/// out as JSON (`aggregator(state:)`, `StatefulAggregator.encodedState()`), and the job keeps it
/// with its checkpoint.
public struct DefenceChoice: Sendable, Codable, Equatable {
    public var name: String
    public var hyperparameters: [String: Double]

    public init(name: String, hyperparameters: [String: Double] = [:]) {
        self.name = name
        self.hyperparameters = hyperparameters
    }

    /// The names and the hyperparameters each accepts (Flower's names, camel-cased; FedQV's and
    /// the reputation rule's as their cores name them, booleans as 0 or 1).
    public static let accepted: [String: Set<String>] = [
        "fedmedian": [],
        "fedtrimmedavg": ["beta"],
        "krum": ["numMaliciousClients", "numClientsToKeep"],
        "bulyan": ["numMaliciousClients"],
        "fedqv": ["budget", "theta", "maskAboveOneMinusTheta"],
        "reputation": ["lambda", "threshold", "kappa", "prior", "baseRate", "decay"],
    ]

    static let wholeNumbers: Set<String> = ["numMaliciousClients", "numClientsToKeep"]

    /// Whether the rule keeps state from round to round.
    public var isStateful: Bool { name == "fedqv" || name == "reputation" }

    /// Why this choice cannot be used, or nil.
    public var problem: String? {
        if let problem = NamedChoice.problem(kind: "defence", name: name, hyperparameters: hyperparameters, accepted: Self.accepted) { return problem }
        for (key, value) in hyperparameters.sorted(by: { $0.key < $1.key })
        where Self.wholeNumbers.contains(key) && (value < 0 || value > 1000 || value.rounded() != value) {
            return "hyperparameter \(key) must be a whole number from 0 to 1000"
        }
        if let beta = hyperparameters["beta"], !(0..<0.5).contains(beta) { return "hyperparameter beta must be at least 0 and below 0.5" }
        if let mask = hyperparameters["maskAboveOneMinusTheta"], mask != 0, mask != 1 { return "hyperparameter maskAboveOneMinusTheta must be 0 or 1" }
        // The stateful rules check their own configuration; their words are the answer.
        do { _ = try build(state: nil) } catch { return "\(error)" }
        return nil
    }

    /// The fewest updates a round must have for the rule to aggregate it (Krum: n > 2f + 2 so
    /// that a score exists; Multi-Krum also keeps k; Bulyan: n ≥ 4f + 3; the reputation rule
    /// fits a line through each coordinate's values, which needs 3).
    public var minimumUpdates: Int {
        let f = Int(hyperparameters["numMaliciousClients"] ?? 0)
        switch name {
        case "krum": return max(2 * f + 3, Int(hyperparameters["numClientsToKeep"] ?? 0))
        case "bulyan": return 4 * f + 3
        case "reputation": return 3
        default: return 1
        }
    }

    /// The rule, carrying on from `state` (what the previous round's `encodedState()` gave; nil
    /// for the first round and for the stateless rules).
    public func aggregator(state: Data? = nil, parallelism: Int = 1) throws(DefenceError) -> any RobustAggregator {
        if let problem { throw .invalidConfiguration(problem) }
        return try build(state: state, parallelism: parallelism)
    }

    private func build(state: Data?, parallelism: Int = 1) throws(DefenceError) -> any RobustAggregator {
        let h = hyperparameters
        func decoded<State: Decodable>(_ type: State.Type) throws(DefenceError) -> State? {
            guard let state else { return nil }
            do { return try JSONDecoder().decode(State.self, from: state) } catch { throw .invalidState("the stored \(name) state does not decode: \(error)") }
        }
        switch name {
        case "fedtrimmedavg": return try FedTrimmedAvg(beta: h["beta"] ?? 0.2, parallelism: parallelism)
        case "krum": return try Krum(numMaliciousClients: Int(h["numMaliciousClients"] ?? 0), numClientsToKeep: Int(h["numClientsToKeep"] ?? 0), parallelism: parallelism)
        case "bulyan": return try Bulyan(numMaliciousClients: Int(h["numMaliciousClients"] ?? 0), parallelism: parallelism)
        case "fedqv":
            let defaults = FedQV.Configuration()
            var rule = try FedQV(configuration: FedQV.Configuration(budget: h["budget"] ?? defaults.budget, theta: h["theta"] ?? defaults.theta,
                                                                     maskAboveOneMinusTheta: (h["maskAboveOneMinusTheta"] ?? 0) == 1),
                                 state: try decoded(FedQV.State.self) ?? FedQV.State())
            rule.parallelism = parallelism
            return rule
        case "reputation":
            let d = ReputationWeighted.Configuration()
            var rule = try ReputationWeighted(
                configuration: ReputationWeighted.Configuration(lambda: h["lambda"] ?? d.lambda, threshold: h["threshold"] ?? d.threshold, kappa: h["kappa"] ?? d.kappa,
                                                                prior: h["prior"] ?? d.prior, baseRate: h["baseRate"] ?? d.baseRate, decay: h["decay"] ?? d.decay),
                state: try decoded(ReputationWeighted.State.self) ?? ReputationWeighted.State())
            rule.parallelism = parallelism
            return rule
        default: return FedMedian(parallelism: parallelism)
        }
    }
}

/// A rule whose state carries from round to round, handed back as JSON for the job to keep.
public protocol StatefulAggregator: RobustAggregator {
    func encodedState() throws -> Data
}

extension FedQV: StatefulAggregator {
    public func encodedState() throws -> Data { try DefenceChoice.stateEncoder.encode(state) }
}

extension ReputationWeighted: StatefulAggregator {
    public func encodedState() throws -> Data { try DefenceChoice.stateEncoder.encode(state) }
}

extension DefenceChoice {
    static var stateEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}
