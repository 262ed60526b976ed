/// Coordinate-wise trimmed mean (Yin et al., 2018), Flower 1.41's `FedTrimmedAvg(beta)` /
/// `aggregate_trimmed_avg`: at each coordinate the `k = int(beta · n)` smallest and `k` largest
/// values are dropped and the rest averaged (example counts ignored, as in Flower).
///
/// Precision: Flower sums the kept values in float32 in the order `np.partition` leaves them
/// (an implementation detail of introselect); we sum them in Double and round once, so results
/// agree to a few float32 ulps, not bit for bit.
///
/// Verdicts: influence is the client's mean weight, 1/(n − 2k) at each coordinate where its
/// value survived the trim. A client trimmed at most coordinates is down-weighted in effect.
public struct FedTrimmedAvg: RobustAggregator {
    /// Fraction cut from each end, in [0, 0.5) (Flower's default 0.2).
    public let beta: Double
    public var parallelism: Int

    public init(beta: Double = 0.2, parallelism: Int = 1) throws(DefenceError) {
        guard beta >= 0 && beta < 0.5 else { throw .invalidConfiguration("beta must be in [0, 0.5), not \(beta)") }
        self.beta = beta
        self.parallelism = max(1, parallelism)
    }

    public var name: String { "FedTrimmedAvg(beta: \(beta))" }

    /// Values cut from each end for `n` clients: Python's `int(beta * n)`.
    public func cut(clients n: Int) -> Int { Int(beta * Double(n)) }

    public func aggregate(_ round: RoundUpdates) throws(DefenceError) -> DefendedRound {
        try round.checkNotEmpty(name)
        let n = round.count
        let cut = cut(clients: n)
        let kept = cut..<(n - cut)
        let weight = 1 / Double(kept.count)
        let result = ColumnReduction.run(round, parallelism: parallelism) { sorted, owners, credit in
            for index in kept { credit[Int(owners[index])] += weight }
            return ColumnReduction.mean(sorted, kept)
        }
        let expectedTrim = Double(2 * cut) / Double(n)
        let verdicts = round.clients.indices.map { index in
            let influence = result.influence[index]
            let trimmed = 1 - influence / weight
            return ClientVerdict(
                client: round.clients[index], decision: ClientVerdict.decision(influence: influence, clients: n),
                influence: influence, score: trimmed,
                reason: "trimmed at \(percent(trimmed)) of coordinates (\(cut) of \(n) cut from each end; an honest client expects about \(percent(expectedTrim)))")
        }
        return DefendedRound(model: round.model(from: result.values), verdicts: verdicts)
    }
}
