/// What a cost is for, as the per-federation report splits it.
public enum CostComponent: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Aggregator instance-hours (billed to the federation).
    case aggregator
    /// Participant node-hours (billed to each participant's organisation).
    case participants
    /// Bytes moved out of a region (billed to the sender).
    case dataTransfer

    public static func < (lhs: CostComponent, rhs: CostComponent) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
