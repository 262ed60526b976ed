/// Coordinate-wise median (Yin et al., 2018), Flower 1.41's `FedMedian` /
/// `aggregate_median`: each coordinate of the new model is `np.median` of the clients' values
/// (example counts are ignored, as in Flower). Bit-identical to Flower: the median of an odd
/// count is one of the values, of an even count the float32 mean of the two middle ones.
///
/// Verdicts: a client's influence is the share of coordinates at which its value was the median
/// (half a coordinate for each of the two middle values of an even count). An honest client of n
/// supplies about 1/n of them; one that almost never does is down-weighted in effect, one that
/// never does is excluded in effect.
public struct FedMedian: RobustAggregator {
    /// Threads for the per-coordinate work.
    public var parallelism: Int

    public init(parallelism: Int = 1) {
        self.parallelism = max(1, parallelism)
    }

    public var name: String { "FedMedian" }

    public func aggregate(_ round: RoundUpdates) throws(DefenceError) -> DefendedRound {
        try round.checkNotEmpty(name)
        let result = ColumnReduction.run(round, parallelism: parallelism) { sorted, owners, credit in
            let n = sorted.count
            if n % 2 == 1 {
                credit[Int(owners[n / 2])] += 1
            } else {
                credit[Int(owners[n / 2 - 1])] += 0.5
                credit[Int(owners[n / 2])] += 0.5
            }
            return ColumnReduction.median(sorted)
        }
        let fair = 1 / Double(round.count)
        let verdicts = round.clients.indices.map { index in
            let influence = result.influence[index]
            return ClientVerdict(
                client: round.clients[index], decision: ClientVerdict.decision(influence: influence, clients: round.count),
                influence: influence,
                reason: "its value was the median at \(percent(influence)) of coordinates (an equal share is \(percent(fair)))")
        }
        return DefendedRound(model: round.model(from: result.values), verdicts: verdicts)
    }
}
