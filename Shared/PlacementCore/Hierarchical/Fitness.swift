/// What NSGA-II knows about a solution: its objectives and how far it breaks the constraints.
public struct Fitness: Sendable, Hashable {
    public var objectives: ObjectivePoint
    /// 0 when feasible; otherwise the total relative excess over the violated limits.
    public var violation: Double

    public init(objectives: ObjectivePoint, violation: Double) {
        self.objectives = objectives
        self.violation = violation
    }

    public var isFeasible: Bool { violation == 0 }

    /// Deb's constrained domination: a feasible solution beats an infeasible one; of two
    /// infeasible ones the smaller violation wins; two feasible ones compare by Pareto dominance.
    public func constrainedDominates(_ other: Fitness) -> Bool {
        switch (isFeasible, other.isFeasible) {
        case (true, false): true
        case (false, true): false
        case (false, false): violation < other.violation
        case (true, true): objectives.dominates(other.objectives)
        }
    }
}
