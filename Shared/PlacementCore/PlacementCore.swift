/// PlacementCore: the pure cost and latency models, exact Pareto fronts and NSGA-II used to
/// decide where a federation's aggregator(s) run. No I/O lives here: parsers take text or bytes
/// and return values, and every random choice comes from a seeded ``Xoshiro256StarStar``.
///
/// Map of the module:
/// - `Catalogue/`: providers, regions, instance offers, egress prices, the latency matrix, and
///   ``DefaultCatalogue`` (approximate built-in data so a fresh install works without imports).
/// - `Parsing/`: the price CSV and latency CSV parsers (bad rows reported, good rows kept).
/// - `Model/`: the workload, the cost model (``CostModel``), the round-time model
///   (``RoundTimeModel``, ``TransferModel``) and the constraints.
/// - `Pareto/`: dominance, the O(n log n) exact 2-D front, hypervolume, knee and weighted choice.
/// - `Single/`: ``AggregatorPlanner``, the exact front over every (provider, region, instance).
/// - `Hierarchical/`: ``HierarchicalPlanner``, k regional aggregators + one global, by NSGA-II.
import SeededRandom
public enum PlacementCore {
    /// Bumped when a model assumption changes, so stored fronts can say which model made them.
    public static let modelVersion = 1
}
