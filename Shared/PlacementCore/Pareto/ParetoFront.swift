/// The exact 2-D Pareto front by sort-and-sweep, O(n log n).
public enum ParetoFront {
    /// Indices of the non-dominated points, sorted by cost ascending (time then strictly
    /// descending, except for exact ties). Exact duplicates of a front point are all kept: they
    /// are not dominated. Ties in the sort are broken by index, so the order is deterministic.
    ///
    /// Why it is exact: after sorting by (cost, time), every point that could dominate p comes
    /// before it, and p is dominated iff an earlier point has a smaller time, or the same time at
    /// a lower cost; the sweep tracks the smallest time seen and the cost it first appeared at.
    public static func nonDominatedIndices(_ points: [ObjectivePoint]) -> [Int] {
        // Sort contiguous keys rather than indices into `points`: half the time on big inputs.
        var keys = points.enumerated().map { Key(cost: $0.element.cost, time: $0.element.time, index: $0.offset) }
        keys.sort { ($0.cost, $0.time, $0.index) < ($1.cost, $1.time, $1.index) }
        var front: [Int] = []
        var bestTime = Double.infinity
        var bestTimeCost = Double.infinity
        for key in keys {
            if key.time < bestTime {
                front.append(key.index)
                bestTime = key.time
                bestTimeCost = key.cost
            } else if key.time == bestTime, key.cost == bestTimeCost {
                front.append(key.index)
            }
        }
        return front
    }

    private struct Key {
        let cost: Double
        let time: Double
        let index: Int
    }
}
