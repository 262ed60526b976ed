/// The points of a front that a report singles out.
public enum SelectedPoint: String, Sendable, Hashable, CaseIterable {
    /// The weighted choice for the request's preference.
    case recommended
    case knee
    /// The cheapest point of the front (preference 0).
    case costFirst
    /// The fastest point of the front (preference 1).
    case latencyFirst
}
