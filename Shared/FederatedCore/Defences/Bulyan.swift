/// Bulyan (El Mhamdi et al., 2018), Flower 1.41's `Bulyan(num_malicious_clients: f, to_keep: 0)`
/// / `aggregate_bulyan` with its default first rule, Krum:
///
///     require n ≥ 4f + 3
///     θ = n − 2f:  θ times, pick the Krum winner among the remaining updates (scores over the
///                  remaining set, max(1, m − f − 2) neighbours for m remaining) and move it to
///                  the selection set
///     β = θ − 2f:  at each coordinate, the mean of the β selected values closest to the
///                  selection's coordinate-wise median
///
/// Flower only supports single-model Krum as the first rule (with `to_keep > 0` its Multi-Krum
/// returns an average that `_find_reference_weights` cannot find among the updates, and Flower
/// raises); so there is no `toKeep` here. Distances are computed once and reused across the θ
/// selections (Flower recomputes them each time; the numbers are the same).
///
/// The β values closest to the median form a contiguous run of the sorted column (the median
/// sits inside it), found by growing a window outwards. Precision: as ``FedTrimmedAvg`` — Flower
/// averages in `np.argpartition` order in float32, we in Double, so a few ulps apart.
public struct Bulyan: RobustAggregator {
    public let numMaliciousClients: Int
    public var parallelism: Int

    public init(numMaliciousClients: Int = 0, parallelism: Int = 1) throws(DefenceError) {
        guard numMaliciousClients >= 0 else { throw .invalidConfiguration("numMaliciousClients must be ≥ 0, not \(numMaliciousClients)") }
        self.numMaliciousClients = numMaliciousClients
        self.parallelism = max(1, parallelism)
    }

    public var name: String { "Bulyan(f: \(numMaliciousClients))" }

    public func aggregate(_ round: RoundUpdates) throws(DefenceError) -> DefendedRound {
        let n = round.count
        let f = numMaliciousClients
        guard n >= 4 * f + 3 else { throw .tooFewUpdates(needed: 4 * f + 3, found: n, rule: name) }
        let theta = n - 2 * f
        let beta = theta - 2 * f

        let distances = PairwiseDistances.squared(round, parallelism: parallelism)
        var remaining = Array(0..<n)
        var selected: [Int] = []
        var eliminatedScore = [Double?](repeating: nil, count: n)
        var selectedAt = [Int?](repeating: nil, count: n)
        for step in 0..<theta {
            let candidates = remaining
            let scores = PairwiseDistances.krumScores(distances, n: n, candidates: candidates, malicious: f)
            var best = 0
            for position in scores.indices where scores[position] < scores[best] { best = position }  // np.argmin: first minimum
            let winner = remaining.remove(at: best)
            selected.append(winner)
            selectedAt[winner] = step + 1
            if step == theta - 1 {
                // The others were never selected: report their scores in this last contest.
                for (position, index) in candidates.enumerated() where index != winner { eliminatedScore[index] = scores[position] }
            }
        }

        let result = ColumnReduction.run(round, rows: selected, parallelism: parallelism) { sorted, owners, credit in
            let median = ColumnReduction.median(sorted)
            // Grow [low, high) from the median's position to the β values nearest to it.
            var low = (sorted.count - 1) / 2
            var high = low + 1
            if sorted.count % 2 == 0 && abs(sorted[high] - median) < abs(sorted[low] - median) { low += 1; high += 1 }
            while high - low < beta {
                if low == 0 { high += 1; continue }
                if high == sorted.count { low -= 1; continue }
                if abs(median - sorted[low - 1]) <= abs(sorted[high] - median) { low -= 1 } else { high += 1 }
            }
            let weight = 1 / Double(beta)
            for index in low..<high { credit[Int(owners[index])] += weight }
            return ColumnReduction.mean(sorted, low..<high)
        }

        let verdicts = round.clients.indices.map { index in
            let influence = result.influence[index]
            if let step = selectedAt[index] {
                return ClientVerdict(
                    client: round.clients[index], decision: ClientVerdict.decision(influence: influence, clients: n), influence: influence,
                    reason: "selected by Krum (\(step) of \(theta)); among the \(beta) values nearest the median at \(percent(influence * Double(beta))) of coordinates")
            }
            let score = eliminatedScore[index]
            return ClientVerdict(
                client: round.clients[index], decision: .excluded, influence: 0, score: score,
                reason: "not among the \(theta) updates Krum selected (score \(score.map(shortNumber) ?? "?") in the last selection)")
        }
        return DefendedRound(model: round.model(from: result.values), verdicts: verdicts)
    }
}
