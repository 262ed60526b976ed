/// CostsCore: the pure arithmetic of the costs service — pricing usage events against the
/// catalogue, cost per federation by day, provider, region and component, budget thresholds
/// that fire once, the comparison/estimate wizard, and catalogue re-import bookkeeping.
/// No I/O: the service shell feeds it from PostgreSQL and Redis and stores what it returns.
///
/// Map of the module:
/// - `Money/`: ``Money`` (exact, whole nano-dollars) and ``PriceRate`` (nano-dollars per hour or
///   per GB), with the one rounding rule (half to even, once per amount).
/// - `Time/`: ``Timestamp`` (UTC milliseconds), ``UTCDay``, ``UsageInterval`` and its split at
///   UTC midnights.
/// - `Usage/`: the versioned, Codable ``UsageEvent`` (node-hours, aggregator-hours, bytes moved).
/// - `Pricing/`: ``UsagePricer`` turns an event into per-day ``PricedLineItem``s, recording a
///   ``Substitution`` or an ``UnpriceableReason`` — never a silent zero.
/// - `Rollup/`: ``CostRollup``, the pure sum by federation, day, provider, region, component.
/// - `Budget/`: ``Budget`` and ``BudgetTracker``: thresholds that fire once per period under
///   replay and reordering.
/// - `Estimate/`: ``Estimator``, the wizard: a template priced in every region, cheapest first,
///   on PlacementCore's ``CostModel``.
/// - `Import/`: ``CatalogueDiff`` and ``CatalogueVersion``: what a re-import changes.
///
/// Money is exact: see ``Money`` for why whole nano-dollars rather than `Decimal` or `Double`.
import PlacementCore

public enum CostsCore {
    /// Bumped when a pricing rule changes (rounding, splitting, substitution), so stored line
    /// items can say which rules priced them.
    public static let pricingRulesVersion = 1
}
