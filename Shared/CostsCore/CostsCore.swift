/// CostsCore: the pure arithmetic of the costs service — pricing usage events against the
/// catalogue, cost per federation by day, provider, region and component, budget thresholds
/// that fire once, and the comparison/estimate wizard. No I/O: the service shell feeds it.
public enum CostsCore {}
