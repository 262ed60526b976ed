#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// FedQV (Chu & Laoutaris, "FedQV: Leveraging Quadratic Voting in Federated Learning",
/// SIGMETRICS 2024): aggregation as a quadratic-voting election in which each client spends
/// voice credits from a budget kept across rounds, and its vote — its aggregation weight — is
/// the square root of what it spends.
///
/// Our reading, per round (the paper's Algorithm 1 as the authors' public code implements it;
/// where the paper's text left a detail open we took the code's choice, and say so):
///
///  1. sᵢ = cos(wᵢ, w_global): cosine similarity of the client's model with the previous global
///     model, both flattened (full models, not deltas — as in the code).
///  2. s̄ᵢ = min–max normalised sᵢ over the round's clients (sklearn's MinMaxScaler).
///     *Our choice*: when every sᵢ is equal (or there is one client) MinMaxScaler would give 0 to
///     all, which step 3 would punish as maximally dissimilar; we give every client 0.5 instead.
///  3. Masked voting with threshold θ:
///       s̄ᵢ ≤ θ or s̄ᵢ ≥ 1 − θ  → the vote is masked (cᵢ = 0) and the budget is charged
///                               Bᵢ ← max(Bᵢ + ln s̄ᵢ − 1, 0)   (Bᵢ ← 0 when s̄ᵢ = 0)
///       otherwise               → cᵢ = 1 − ln s̄ᵢ credits are bid
///     so suspiciously dissimilar *and* suspiciously similar (e.g. lazy, copied) models are
///     masked. *Our choice*: the upper mask is off by default (`maskAboveOneMinusTheta`). With
///     min–max normalisation one outlier at s̄ = 0 squeezes every honest client towards s̄ ≈ 1,
///     so the upper mask silenced every honest client in our tests and the round kept the old
///     model — the attack won by being there. A consequence we kept, though it is harsh:
///     min–max puts the least similar client of every round at s̄ = 0, which empties its
///     budget for good.
///  4. Budget: a client whose budget is spent bids nothing; one whose bid exceeds what is left
///     bids what is left; otherwise Bᵢ ← Bᵢ − cᵢ. Budgets start at B and persist across rounds
///     per client identifier (the code keeps them per list position).
///  5. Weights ∝ √(cᵢ · nᵢ) (nᵢ examples; the code multiplies credits by example counts before
///     the square root); the new model is Σ weightᵢ · wᵢ (summed in Double). If every weight is 0
///     the previous global model is kept, as in the code.
///
/// The paper also lets a reputation score raise budgets; ``ReputationWeighted`` is our separate
/// reputation rule and is not wired into FedQV.
public struct FedQV: RobustAggregator {
    public struct Configuration: Sendable, Codable, Equatable {
        /// B, each client's initial credit budget.
        public var budget: Double
        /// θ, the masking threshold on normalised similarity, in [0, 0.5).
        public var theta: Double
        /// Also mask s̄ ≥ 1 − θ, as the authors' code does (off by default; see above).
        public var maskAboveOneMinusTheta: Bool

        public init(budget: Double = 30, theta: Double = 0.2, maskAboveOneMinusTheta: Bool = false) {
            self.budget = budget
            self.theta = theta
            self.maskAboveOneMinusTheta = maskAboveOneMinusTheta
        }
    }

    public struct State: Sendable, Codable, Equatable {
        /// Credits left per client; clients not yet seen have the full budget.
        public var credits: [String: Double]
        public var completedRounds: Int

        public init(credits: [String: Double] = [:], completedRounds: Int = 0) {
            self.credits = credits
            self.completedRounds = completedRounds
        }
    }

    public let configuration: Configuration
    public private(set) var state: State
    public var parallelism: Int = 1

    public init(configuration: Configuration = Configuration(), state: State = State()) throws(DefenceError) {
        guard configuration.budget > 0, configuration.budget.isFinite else { throw .invalidConfiguration("budget must be finite and > 0, not \(configuration.budget)") }
        guard configuration.theta >= 0 && configuration.theta < 0.5 else { throw .invalidConfiguration("theta must be in [0, 0.5), not \(configuration.theta)") }
        guard state.credits.values.allSatisfy({ $0 >= 0 && $0.isFinite }) else { throw .invalidState("credits must be finite and ≥ 0") }
        self.configuration = configuration
        self.state = state
    }

    public var name: String { "FedQV(B: \(configuration.budget), θ: \(configuration.theta))" }

    public mutating func aggregate(_ round: RoundUpdates) throws(DefenceError) -> DefendedRound {
        try round.checkNotEmpty(name)
        let n = round.count
        let theta = configuration.theta
        let global = round.flatGlobalModel()
        let similarities = (0..<n).map { index in round.withRow(index) { row in global.withUnsafeBufferPointer { Self.cosine(row, $0) } } }
        let low = similarities.min()!
        let high = similarities.max()!
        let normalised = similarities.map { high > low ? ($0 - low) / (high - low) : 0.5 }

        var credits = state.credits
        var bids = [Double](repeating: 0, count: n)
        var notes = [String](repeating: "", count: n)
        for index in 0..<n {
            let client = round.clients[index]
            var budget = credits[client] ?? configuration.budget
            let before = budget
            let s = normalised[index]
            var bid = 0.0
            if s <= theta || (configuration.maskAboveOneMinusTheta && s >= 1 - theta) {
                budget = s == 0 ? 0 : max(budget + log(s) - 1, 0)
                notes[index] = "normalised similarity \(shortNumber(s)) is \(s <= theta ? "≤ θ" : "≥ 1 − θ") (θ = \(theta)): vote masked, budget \(shortNumber(before)) → \(shortNumber(budget))"
            } else {
                bid = 1 - log(s)
                if budget <= 0 {
                    bid = 0
                    budget = 0
                    notes[index] = "normalised similarity \(shortNumber(s)), but its credit budget is spent"
                } else if budget - bid <= 0 {
                    bid = budget
                    budget = 0
                    notes[index] = "normalised similarity \(shortNumber(s)): spent its last \(shortNumber(bid)) credits"
                } else {
                    budget -= bid
                    notes[index] = "normalised similarity \(shortNumber(s)): spent \(shortNumber(bid)) credits, \(shortNumber(budget)) left"
                }
            }
            credits[client] = budget
            bids[index] = bid
        }

        let votes = (0..<n).map { (bids[$0] * Double(round.examples[$0])).squareRoot() }
        let total = votes.reduce(0, +)
        let weights = total > 0 ? votes.map { $0 / total } : [Double](repeating: 0, count: n)
        let model = total > 0 ? WeightedSum.model(round, weights: weights, parallelism: parallelism) : round.globalModel

        state.credits = credits
        state.completedRounds += 1
        let verdicts = (0..<n).map { index in
            ClientVerdict(client: round.clients[index], decision: ClientVerdict.decision(influence: weights[index], clients: n),
                          influence: weights[index], score: similarities[index],
                          reason: notes[index] + (total > 0 ? "" : "; no client had a vote, so the global model is kept"))
        }
        return DefendedRound(model: model, verdicts: verdicts)
    }

    /// cos(a, b), summed in Double; 0 when either is the zero vector.
    static func cosine(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Double {
        var dot = 0.0, aa = 0.0, bb = 0.0
        for index in a.indices {
            let x = Double(a[index]), y = Double(b[index])
            dot += x * y
            aa += x * x
            bb += y * y
        }
        return aa > 0 && bb > 0 ? dot / (aa.squareRoot() * bb.squareRoot()) : 0
    }
}

/// Σ weightᵢ · rowᵢ, accumulated in Double per coordinate and rounded once.
enum WeightedSum {
    static func model(_ round: RoundUpdates, weights: [Double], parallelism: Int) -> TensorCollection {
        let count = round.parameterCount
        var output = [Float](repeating: 0, count: count)
        round.withMatrix { matrix in
            output.withUnsafeMutableBufferPointer { output in
                Kernels.forEachRange(count: count, parallelism: parallelism) { _, range in
                    var sums = [Double](repeating: 0, count: range.count)
                    for (row, weight) in weights.enumerated() where weight != 0 {
                        let base = row * count + range.lowerBound
                        for offset in 0..<range.count { sums[offset] += weight * Double(matrix[base + offset]) }
                    }
                    for offset in 0..<range.count { output[range.lowerBound + offset] = Float(sums[offset]) }
                }
            }
        }
        return round.model(from: output)
    }
}
