/// How much better a chosen point is than a baseline. Positive = the chosen point saves.
public struct Savings: Sendable, Hashable {
    public var point: SelectedPoint
    public var baseline: Baseline.Kind
    public var costUSD: Double
    /// Share of the baseline's monthly cost, in percent.
    public var costPercent: Double
    public var roundTimeSeconds: Double
    /// Share of the baseline's round time, in percent.
    public var roundTimePercent: Double

    public init(point: SelectedPoint, chosen: PlacementOption, baseline: Baseline.Kind, against reference: PlacementOption) {
        self.point = point
        self.baseline = baseline
        let base = reference.objectives, new = chosen.objectives
        costUSD = base.cost - new.cost
        costPercent = base.cost > 0 ? costUSD / base.cost * 100 : 0
        roundTimeSeconds = base.time - new.time
        roundTimePercent = base.time > 0 ? roundTimeSeconds / base.time * 100 : 0
    }
}
