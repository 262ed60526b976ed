/// Krum and Multi-Krum (Blanchard et al., 2017), Flower 1.41's `Krum` / `aggregate_krum`:
///
///     d(i, j)   = ‖wᵢ − wⱼ‖²
///     score(i)  = Σ of the max(1, n − f − 2) smallest d(i, j), j ≠ i
///     Krum:       the new model is the update with the lowest score (returned unchanged)
///     Multi-Krum: (numClientsToKeep = k > 0) the example-weighted mean of the k lowest-scored
///                 updates — Flower's `aggregate` (float32, Σ nᵢ·wᵢ / Σ nᵢ), summed in the
///                 order Flower sums them (the k lowest, from the highest score down), so the
///                 mean is bit-identical to Flower's.
///
/// Scores agree with Flower's to float32 precision (see ``PairwiseDistances``); a choice could
/// only differ if two scores tied to within that, which Flower itself breaks arbitrarily.
public struct Krum: RobustAggregator {
    /// Flower's `num_malicious_clients` (f).
    public let numMaliciousClients: Int
    /// Flower's `num_clients_to_keep`: 0 for Krum, k > 0 for Multi-Krum.
    public let numClientsToKeep: Int
    public var parallelism: Int

    public init(numMaliciousClients: Int = 0, numClientsToKeep: Int = 0, parallelism: Int = 1) throws(DefenceError) {
        guard numMaliciousClients >= 0 else { throw .invalidConfiguration("numMaliciousClients must be ≥ 0, not \(numMaliciousClients)") }
        guard numClientsToKeep >= 0 else { throw .invalidConfiguration("numClientsToKeep must be ≥ 0, not \(numClientsToKeep)") }
        self.numMaliciousClients = numMaliciousClients
        self.numClientsToKeep = numClientsToKeep
        self.parallelism = max(1, parallelism)
    }

    public var name: String {
        numClientsToKeep > 0 ? "Multi-Krum(f: \(numMaliciousClients), keep: \(numClientsToKeep))" : "Krum(f: \(numMaliciousClients))"
    }

    /// Every client's Krum score, in arrival order.
    public func scores(_ round: RoundUpdates) -> [Double] {
        let distances = PairwiseDistances.squared(round, parallelism: parallelism)
        return PairwiseDistances.krumScores(distances, n: round.count, candidates: Array(0..<round.count), malicious: numMaliciousClients)
    }

    public func aggregate(_ round: RoundUpdates) throws(DefenceError) -> DefendedRound {
        try round.checkNotEmpty(name)
        let n = round.count
        guard numClientsToKeep <= n else { throw .tooFewUpdates(needed: numClientsToKeep, found: n, rule: name) }
        let scores = scores(round)
        let ranked = scores.indices.sorted { (scores[$0], $0) < (scores[$1], $1) }

        if numClientsToKeep == 0 {
            let best = ranked[0]
            let verdicts = round.clients.indices.map { index in
                index == best
                    ? ClientVerdict(client: round.clients[index], decision: .kept, influence: 1, score: scores[index],
                                    reason: "Krum score \(shortNumber(scores[index])) — the lowest; its model becomes the global model")
                    : ClientVerdict(client: round.clients[index], decision: .excluded, influence: 0, score: scores[index],
                                    reason: "Krum score \(shortNumber(scores[index])) — not the lowest (\(shortNumber(scores[best])))")
            }
            return DefendedRound(model: round.update(best), verdicts: verdicts)
        }

        // Flower: np.argsort(scores)[::-1][n - k:] — the k lowest, highest score first.
        let chosen = Array(ranked.prefix(numClientsToKeep).reversed())
        var accumulator = WeightedMeanAccumulator(template: round.globalModel)
        for index in chosen {
            do {
                try accumulator.fold(round.update(index), examples: round.examples[index])
            } catch {
                throw .rejectedUpdate(position: index, client: round.clients[index], reason: error)
            }
        }
        let model: TensorCollection
        do {
            model = try accumulator.mean()
        } catch {
            throw .invalidConfiguration("Multi-Krum keeps clients reporting no examples, so the weighted mean is undefined: \(error)")
        }
        let total = Double(chosen.reduce(0) { $0 + round.examples[$1] })
        let threshold = scores[chosen[0]]
        let kept = Set(chosen)
        let verdicts = round.clients.indices.map { index in
            kept.contains(index)
                ? ClientVerdict(client: round.clients[index], decision: .kept, influence: Double(round.examples[index]) / total, score: scores[index],
                                reason: "Krum score \(shortNumber(scores[index])) — among the \(numClientsToKeep) lowest")
                : ClientVerdict(client: round.clients[index], decision: .excluded, influence: 0, score: scores[index],
                                reason: "Krum score \(shortNumber(scores[index])) — not among the \(numClientsToKeep) lowest (≤ \(shortNumber(threshold)))")
        }
        return DefendedRound(model: model, verdicts: verdicts)
    }
}
