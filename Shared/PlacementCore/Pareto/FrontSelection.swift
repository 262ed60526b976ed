/// Picks single points from a front sorted by cost ascending (as ``ParetoFront`` returns it).
///
/// Both rules normalise each objective to [0, 1] over the front itself (min → 0, max → 1; an
/// objective that does not vary maps to 0), so dollars and seconds become comparable.
public enum FrontSelection {
    /// Minimises (1 − preference) · cost + preference · time, normalised: preference 0 picks the
    /// cheapest point, 1 the fastest. A weighted sum only reaches points on the convex hull of
    /// the front; the whole front is always reported beside it. Ties go to the cheaper point.
    public static func weighted(_ front: [ObjectivePoint], preference: Double) -> Int? {
        let normalised = normalise(front)
        var best: (index: Int, score: Double)?
        for (index, point) in normalised.enumerated() {
            let score = (1 - preference) * point.cost + preference * point.time
            if best == nil || score < best!.score { best = (index, score) }
        }
        return best?.index
    }

    /// The knee: the point farthest below the straight line joining the two extremes (the
    /// cheapest and the fastest point), in normalised space, i.e. the point where the trade-off
    /// turns most sharply. With fewer than three points every distance is 0 and the cheapest
    /// point is returned. Ties go to the cheaper point.
    public static func knee(_ front: [ObjectivePoint]) -> Int? {
        let normalised = normalise(front)
        guard let first = normalised.first, let last = normalised.last else { return nil }
        // Distance to the line through the extremes is the 2-D cross product divided by the
        // line's length; the length is the same for every point, so the cross product ranks them
        // alike (and the module needs no libm square root).
        let dx = last.cost - first.cost, dy = last.time - first.time
        var best = (index: 0, distance: 0.0)
        for (index, point) in normalised.enumerated() {
            // Points below the line (towards the ideal) have a negative cross product here.
            let below = -(dx * (point.time - first.time) - dy * (point.cost - first.cost))
            if below > best.distance { best = (index, below) }
        }
        return best.index
    }

    static func normalise(_ points: [ObjectivePoint]) -> [ObjectivePoint] {
        guard let first = points.first else { return [] }
        var low = first, high = first
        for point in points {
            low = ObjectivePoint(cost: min(low.cost, point.cost), time: min(low.time, point.time))
            high = ObjectivePoint(cost: max(high.cost, point.cost), time: max(high.time, point.time))
        }
        func scale(_ value: Double, _ low: Double, _ high: Double) -> Double {
            high > low ? (value - low) / (high - low) : 0
        }
        return points.map {
            ObjectivePoint(cost: scale($0.cost, low.cost, high.cost), time: scale($0.time, low.time, high.time))
        }
    }
}
