/// PlacementCore: the pure cost and latency models, exact Pareto fronts and NSGA-II used to
/// place aggregators. No I/O lives here.
///
/// Empty until the cost-and-placement issue fills it; the module exists now so that the package
/// layout is fixed from the start.
public enum PlacementCore {}
