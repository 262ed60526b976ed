/// 2-D hypervolume (dominated area) for minimisation, against a reference point.
public enum Hypervolume {
    /// Area dominated by `points` and bounded by `reference`. Points not strictly better than the
    /// reference in both objectives add nothing. Order and dominated points do not matter.
    public static func of(_ points: [ObjectivePoint], reference: ObjectivePoint) -> Double {
        let inside = points.filter { $0.cost < reference.cost && $0.time < reference.time }
        let front = ParetoFront.nonDominatedIndices(inside).map { inside[$0] }
        var area = 0.0
        for (position, point) in front.enumerated() {
            let nextCost = position + 1 < front.count ? front[position + 1].cost : reference.cost
            area += (nextCost - point.cost) * (reference.time - point.time)
        }
        return area
    }
}
